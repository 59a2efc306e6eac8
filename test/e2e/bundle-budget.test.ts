/**
 * The deployed worker stays under issue 14's budget: 128 KiB gzip as `wrangler deploy` reports it,
 * for a fast cold start. Data the worker reads lives in static assets (src/static), not the script.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BUDGET_GZIP_KIB = 128;

describe('the deployed bundle', () => {
  it(`is under ${BUDGET_GZIP_KIB} KiB gzip, and holds no development page`, async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'edge-auth-bundle-'));
    try {
      const { stdout, stderr } = await promisify(execFile)('wrangler', ['deploy', '--dry-run', '--outdir', outdir], {
        env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
        timeout: 120_000,
      });
      const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${stdout}\n${stderr}`);
      expect(size, 'wrangler reports the size').not.toBeNull();
      expect(Number(size![2])).toBeLessThan(BUDGET_GZIP_KIB);
      // The development pages are only in src/dev-worker.ts: this line of the home page is not shipped.
      expect(await readFile(join(outdir, 'index.js'), 'utf8')).not.toContain('The dev seed (apps, API, user)');
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
