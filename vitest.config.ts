import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing outside the process; `int` talks to the real
// Kafka, Redis and Dovecot that scripts/stack.sh starts (its env is exported by ./vmsync).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,services,tools}/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['{libs,services,tools}/*/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
