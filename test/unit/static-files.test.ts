import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATIC_FILES } from '../../src/views/static-files';

describe('the files pages link to (src/static/web)', () => {
  it('are all listed, each with the start of its SHA-256 as its version: after an edit, put the new one in src/views/static-files.ts', () => {
    const versions = Object.fromEntries(
      readdirSync('src/static/web').map((name) => [name, createHash('sha256').update(readFileSync(`src/static/web/${name}`)).digest('hex').slice(0, 12)]),
    );
    expect(STATIC_FILES).toEqual(versions);
  });
});
