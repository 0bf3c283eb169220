import { defineConfig } from 'vitest/config';

const ignored = ['**/node_modules/**', '.local-stack/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, '**/*.int.test.ts', '**/*.e2e.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts', 'test/e2e/**/*.e2e.test.ts'],
          exclude: ignored,
          globalSetup: ['test/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The broker and the database are shared by every file; two cores do not gain from more.
          maxWorkers: 2,
        },
      },
    ],
  },
});
