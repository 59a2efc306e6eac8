import { readFileSync } from 'node:fs';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Inside workerd, against the real D1 and Durable Objects of the worker under test.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                // An https issuer, so the production cookie rules (`__Host-`, Secure) are the ones tested.
                ISSUER: 'https://auth.example.test',
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                TEST_SEED: readFileSync('./scripts/dev-seed.sql', 'utf8'),
              },
            },
          })),
        ],
        // FC_NUM_RUNS and FC_SEED reach the property tests in workerd (test/properties/fuzz.ts).
        envPrefix: ['VITE_', 'FC_'],
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          setupFiles: ['./test/setup.ts'],
        },
      },
      {
        // Over real HTTP, against the worker started by wrangler, as a native app would use it.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
