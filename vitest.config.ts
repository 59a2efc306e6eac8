import { readFileSync } from 'node:fs';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A passing run prints its summary only: console output (the worker's audit lines among it) and
    // the names of files and tests are shown for failures. `--reporter=default` lists every file.
    silent: 'passed-only',
    reporters: ['minimal'],
    projects: [
      {
        // In Node: pure protocol and state-machine logic that needs no runtime, on a frozen clock.
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['./test/unit/setup.ts'],
        },
      },
      {
        // Inside workerd, against the real D1 and Durable Objects of the worker under test.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            // The deployed worker plus the development pages: tests read account mail on /dev/mailbox.
            main: './src/dev-worker.ts',
            miniflare: {
              bindings: {
                // An https issuer, so the production cookie rules (`__Host-`, Secure) are the ones tested.
                ISSUER: 'https://auth.example.test',
                // PBKDF2 keeps the thousands of sign-ins fast; scrypt, the default, is tested in test/unit.
                PASSWORD_HASH_SCHEME: 'pbkdf2-sha256',
                // Account mail is kept on /dev/mailbox, where the tests read it (the issuer is under `.test`).
                DEV_MAILBOX: 'true',
                // Client-supplied URLs (metadata documents, jwks_uri) may be on 127.0.0.1, where
                // test/helpers/document-server.ts serves them.
                DEV_LOOPBACK_FETCH: 'true',
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                TEST_SEED: readFileSync('./scripts/dev-seed.sql', 'utf8'),
              },
              // Audit events reach D1 as soon as they are sent, not after the production batch wait.
              queueConsumers: { 'edge-auth-audit': { maxBatchTimeout: 0 } },
            },
          })),
        ],
        // FC_NUM_RUNS and FC_SEED reach the property tests in workerd (test/helpers/fuzz.ts).
        envPrefix: ['VITE_', 'FC_'],
        test: {
          name: 'workers',
          // The resource-server kit's tests run here too: they verify tokens the worker under test issues.
          include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/unit/**'],
          setupFiles: ['./test/setup.ts'],
          globalSetup: ['./test/helpers/document-server.ts'],
        },
      },
      {
        // Over real HTTP, against the worker started by wrangler, as a native app would use it.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          // A test CA for an https server on 127.0.0.1 that the worker under test trusts (MCP client metadata documents),
          // and the migrated, seeded state each worker server copies (made once: wrangler's CLI is slow to start).
          globalSetup: ['./test/e2e/test-ca.ts', './test/e2e/seeded-state.ts'],
          testTimeout: 60_000,
          // Starting a worker and Chromium while the workerd project runs beside it took over 120 s once on CI.
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
