/**
 * The test run's Kafka as a client sees it: its brokers and how to log in to them as one of the
 * secured broker's principals (test/globalSetup.ts starts it secured). In-process clients get
 * `testKafka()`; processes the tests start get `testKafkaEnv()`. I/O (reads the credentials).
 */
import { inject } from 'vitest';
import { loadStackSecurity } from '../../local-stack/certificates.js';
import { applyStackAcls } from '../../local-stack/secureKafkaClient.js';
import type { KafkaClientEnv } from '../../local-stack/temporaryKafka.js';
import { type KafkaClientSecurity, loadKafkaSecurity, parseKafkaSecurity } from '../../platform/kafkaSecurity.js';

export type TestPrincipal = 'admin' | 'service' | 'subscriber';

/** What `createKafkaClient` needs besides a client id: `createKafkaClient({ ...connection, clientId })`. */
export type TestKafkaConnection = {
  readonly brokers: readonly string[];
  readonly security?: KafkaClientSecurity;
};

/** KAFKA_BROKERS and the security variables of `principal` (`admin`, a super user, by default). */
export function testKafkaEnv(principal: TestPrincipal = 'admin'): KafkaClientEnv {
  return inject('kafkaClientEnv')[principal];
}

const connections = new Map<TestPrincipal, Promise<TestKafkaConnection>>();

/** The test broker's addresses and `principal`'s TLS and SASL settings, read as the service reads them. */
export function testKafka(principal: TestPrincipal = 'admin'): Promise<TestKafkaConnection> {
  let connection = connections.get(principal);
  if (connection === undefined) {
    connection = (async () => {
      const env = testKafkaEnv(principal);
      const problems: string[] = [];
      const brokers = inject('kafkaBrokers');
      const config = parseKafkaSecurity(
        (name) => env[name],
        (variable, message) => problems.push(`${variable}: ${message}`),
        brokers,
      );
      if (problems.length > 0) throw new Error(`the test broker's client settings: ${problems.join('; ')}`);
      const security = await loadKafkaSecurity(config);
      return { brokers, ...(security.ssl === undefined && security.sasl === undefined ? {} : { security }) };
    })();
    connections.set(principal, connection);
  }
  return connection;
}

/**
 * Grants the `service` principal its least-privilege ACLs on `namespace`'s topics and groups
 * (local-stack/aclPolicy.ts), as `npm run stack -- up --secure` does for the stack's namespace.
 * A configured cluster is left as it is.
 */
export async function grantServiceNamespace(namespace: string): Promise<void> {
  const dir = inject('kafkaSecurityDir');
  if (dir === undefined) return;
  await applyStackAcls({ brokers: inject('kafkaBrokers'), security: await loadStackSecurity(dir), namespace });
}

const sameBrokers = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((broker, i) => broker === [...b].sort()[i]);

/**
 * How to reach `brokers` as `principal`: the run's secured broker with that principal's
 * credentials, or (for a cluster a test started itself, plain unless the test secures it) the
 * bare addresses.
 */
export async function kafkaConnectionFor(
  brokers: readonly string[],
  principal: TestPrincipal = 'admin',
): Promise<{ readonly connection: TestKafkaConnection; readonly env: KafkaClientEnv }> {
  if (sameBrokers(brokers, inject('kafkaBrokers')))
    return { connection: await testKafka(principal), env: testKafkaEnv(principal) };
  return { connection: { brokers }, env: { KAFKA_BROKERS: brokers.join(',') } };
}
