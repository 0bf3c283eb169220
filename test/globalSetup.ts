/**
 * Starts one real Kafka broker for the whole test run (unless KAFKA_BROKERS names one) and
 * hands its address and the PostgreSQL server to the tests. Each test then makes its own
 * topics, groups and databases.
 */
import type { TestProject } from 'vitest/node';
import { startTemporaryKafka } from '../local-stack/temporaryKafka.js';
import { loadConfig } from '../platform/config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    databaseUrl: string;
    kafkaVersion: string;
    kafkaJarsDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  const kafka = await startTemporaryKafka(config, {
    prefix: 'cel-test-kafka-',
    onProgress: (message) => process.stderr.write(`[test stack] ${message}\n`),
  });
  project.provide('kafkaBrokers', [...kafka.brokers]);
  project.provide('databaseUrl', config.databaseUrl.toString());
  project.provide('kafkaVersion', config.localStack.kafkaVersion);
  project.provide('kafkaJarsDir', kafka.jarsDir);
  return kafka.stop;
}
