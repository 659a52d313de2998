import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '~': path.resolve(import.meta.dirname, 'src') } },
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    // Two files at once on this 2-core machine (Vitest's default here is one): the longest files mostly wait on
    // real processes (an outage, a killed worker, Prometheus's alert), and every file has its own database and Redis
    // prefix. The suite: 557 s with one, 336 s with two.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      // Tests never reach the internet: Open Food Facts is off unless a test points it at its stand-in.
      OPENFOODFACTS_URL: '',
    },
  },
});
