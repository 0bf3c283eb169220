/**
 * Starts one real Kafka broker for the whole test run (unless KAFKA_BROKERS names one) and
 * hands its address, its client credentials and the PostgreSQL server to the tests. The broker
 * is secured as `npm run stack -- up --secure` secures it (SASL_SSL, SCRAM-SHA-512, the stack's
 * own CA, ACLs, nothing allowed without one), so every integration test goes the secured path.
 * Each test then makes its own topics, groups and databases.
 */
import type { TestProject } from 'vitest/node';
import type { KafkaClientEnv } from '../local-stack/temporaryKafka.js';
import { startTemporaryKafka } from '../local-stack/temporaryKafka.js';
import { loadConfig } from '../platform/config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    /** How a process connects as each principal of the secured broker: KAFKA_BROKERS and KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*. */
    kafkaClientEnv: { admin: KafkaClientEnv; service: KafkaClientEnv; subscriber: KafkaClientEnv };
    /** The secured broker's CA and credentials (undefined when KAFKA_BROKERS names a cluster). */
    kafkaSecurityDir: string | undefined;
    databaseUrl: string;
    kafkaVersion: string;
    kafkaJarsDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  const kafka = await startTemporaryKafka(config, {
    prefix: 'cel-test-kafka-',
    secure: true,
    onProgress: (message) => process.stderr.write(`[test stack] ${message}\n`),
  });
  project.provide('kafkaBrokers', [...kafka.brokers]);
  project.provide('kafkaClientEnv', {
    admin: kafka.clientEnv('admin'),
    service: kafka.clientEnv('service'),
    subscriber: kafka.clientEnv('subscriber'),
  });
  project.provide('kafkaSecurityDir', kafka.securityDir);
  project.provide('databaseUrl', config.databaseUrl.toString());
  project.provide('kafkaVersion', config.localStack.kafkaVersion);
  project.provide('kafkaJarsDir', kafka.jarsDir);
  return kafka.stop;
}
