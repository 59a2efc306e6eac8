import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/** The dev seed's statements; comment lines dropped, split at the semicolon that ends each. */
function seedStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await env.DB.batch(seedStatements(env.TEST_SEED).map((statement) => env.DB.prepare(statement)));
