import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Migrations take Kysely<any> by design: they must not depend on app types.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ThrowStatement > Literal', message: 'Throw an Error subclass with a reason, never a string.' },
      ],
    },
  },
  {
    // dependency-cruiser reads its configuration as CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      // Deciders are pure: no I/O, no clock, no randomness. `now` and ids arrive on the command.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'crypto',
            'fs',
            'os',
            'uuid',
            'koa',
            '@koa/*',
            'kysely',
            'pg',
            '@eventstore/*',
            '**/eventstore/**',
            '**/api/**',
            '**/projections/**',
            '**/application/**',
            '**/clock/**',
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Deciders get `now` on the command, as an ISO string.' },
        { name: 'crypto', message: 'Ids arrive on the command.' },
        { name: 'process', message: 'Deciders read nothing from the environment.' },
        { name: 'fetch', message: 'Deciders perform no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Ids and randomness arrive on the command.' },
        { object: 'crypto', property: 'randomUUID', message: 'Ids arrive on the command.' },
        { object: 'globalThis', property: 'crypto', message: 'Ids arrive on the command.' },
      ],
    },
  },
);
