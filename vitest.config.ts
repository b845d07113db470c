import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Domain time is fixed per test through the command context; UTC keeps any date formatting identical everywhere.
    env: { TZ: 'UTC' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.unit.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['tests/**/*.int.test.ts', 'tests/**/*.e2e.test.ts'],
          globalSetup: ['tests/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
