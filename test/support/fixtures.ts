/**
 * Per-test resources against the real services: a fresh PostgreSQL database and the test
 * run's Kafka brokers. Each test gets its own and removes it afterwards.
 */
import { test as base, inject } from 'vitest';
import { dropDatabase, ensureDatabase } from '../../platform/postgres.js';
import { uniqueName } from './uniqueName.js';

export type IntegrationFixtures = {
  /** A database created for this test and dropped after it. */
  readonly databaseUrl: URL;
  readonly kafkaBrokers: readonly string[];
};

export const test = base.extend<IntegrationFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take the context as their first argument
  databaseUrl: async ({}, use) => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${uniqueName('cel_test')}`;
    await ensureDatabase(url);
    try {
      await use(url);
    } finally {
      await dropDatabase(url);
    }
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take the context as their first argument
  kafkaBrokers: async ({}, use) => {
    await use(inject('kafkaBrokers'));
  },
});

export { describe, expect } from 'vitest';
