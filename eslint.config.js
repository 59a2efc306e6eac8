// Lint for bugs the type checker lets through, above all promises nobody awaits: in a Worker an
// un-awaited write may never happen. Formatting is left to editors.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', 'test-results/', 'migrations/', 'src/env.d.ts', 'bench/', 'examples/', 'cli/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'packages/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The pages' scripts run in the browser, as classic scripts.
  { files: ['src/static/web/*.js'], languageOptions: { sourceType: 'script', globals: Object.fromEntries(['window', 'document', 'navigator', 'atob', 'btoa', 'AbortController', 'PublicKeyCredential'].map((name) => [name, 'readonly'])) } },
  // Tests read JSON bodies of every shape; typing each one adds nothing the assertions miss.
  { files: ['test/**/*.ts', 'packages/*/test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
