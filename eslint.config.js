import drizzle from 'eslint-plugin-drizzle';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', '.data/**', 'drizzle/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'public/sw.js', 'public/firebase-messaging-sw.js', 'bench/results/**', 'src/client/dist/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { drizzle },
    rules: {
      // The classic UPDATE/DELETE without WHERE; `db` and `tx` are the names our query functions use.
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/server/**/*.ts', 'workers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'workers/**/*.ts'],
    // Tests may build the environment of the processes they start.
    ignores: ['src/env.ts', 'src/lib/browser/env.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Import `env` from ~/env: it is validated once at start.' }],
    },
  },
);
