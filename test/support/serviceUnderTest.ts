/**
 * The whole adapter service, started in-process against the test run's broker, the test's
 * registry and a fresh database, with its own topic namespace; plus helpers to deliver
 * samples the way real senders do and to read back what reached the canonical topic.
 */
import { inject } from 'vitest';
import type { Role } from '../../auth/roles.js';
import { loadConfig } from '../../platform/config.js';
import { createEventCodec } from '../../platform/eventCodec.js';
import { createKafkaClient, fetchPartitionOffsets } from '../../platform/kafka.js';
import type { KafkaClientSecurity } from '../../platform/kafkaSecurity.js';
import { createLogger } from '../../platform/logger.js';
import { projectSchemaRegistrations, registerSchemas } from '../../platform/registerSchemas.js';
import { createRegistry } from '../../platform/schemaRegistry.js';
import { registryTest } from '../../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames } from '../../schemas/topics.js';
import { type RunningService, runService } from '../../service/runService.js';
import { type ApiClient, apiClient } from './apiClient.js';
import { msaOf, openMllp } from './mllpClient.js';
import { sampleBytes } from './samples.js';
import { grantServiceNamespace, kafkaConnectionFor } from './testKafka.js';
import { type DevTokens, defaultRoleFor, devTokens } from './tokens.js';
import { uniqueName } from './uniqueName.js';

export type ServiceUnderTest = RunningService & {
  readonly namespace: string;
  /** Tokens from the development issuer the service trusts. */
  readonly tokens: DevTokens;
  /** The API, each request with a token of the first role the access policy allows for its route. */
  readonly api: ApiClient;
  /** `Authorization: Bearer …` with a token for the role (the first the policy allows for the route, when not named). */
  authHeader(role: Role): Promise<Readonly<Record<string, string>>>;
  /** KAFKA_BROKERS and the security variables the service runs with: what its command-line tools need too. */
  readonly kafkaEnv: Readonly<Record<string, string>>;
};

/**
 * What a service under test runs on: the test's database, registry and the run's brokers (on
 * the run's secured broker it logs in as the `service` principal, with the ACLs the secured
 * stack grants it on its namespace and nothing more).
 */
export type ServiceResources = {
  readonly databaseUrl: URL;
  readonly registryUrl: string;
  readonly kafkaBrokers: readonly string[];
};

/**
 * Starts the service on the test's resources with its own topic namespace (or `TOPIC_NAMESPACE`
 * of `env`). `env` adds or replaces configuration variables (e.g. `MLLP_MAX_FRAME_BYTES`), read as
 * the process would.
 */
export async function startServiceUnderTest(
  resources: ServiceResources,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceUnderTest> {
  const namespace = env.TOPIC_NAMESPACE ?? uniqueName('e2e');
  const kafka = await kafkaConnectionFor(resources.kafkaBrokers, 'service');
  if (kafka.connection.security !== undefined) await grantServiceNamespace(namespace);
  const config = loadConfig({
    PATH: process.env.PATH,
    DATABASE_URL: resources.databaseUrl.toString(),
    ...kafka.env,
    SCHEMA_REGISTRY_URL: resources.registryUrl,
    TOPIC_NAMESPACE: namespace,
    TOPIC_PARTITIONS: '3',
    PORT: '0',
    MLLP_PORT: '0',
    KAFKA_VERSION: inject('kafkaVersion'),
    ...env,
  });
  const service = await runService(config, { logger: createLogger('warn') });
  const tokens = await devTokens(config.localStack.dir);
  const api = apiClient(service.httpUrl, {
    tokenFor: async (method, path) => {
      const role = defaultRoleFor(method, path);
      return role === undefined ? undefined : tokens.token(role);
    },
  });
  return {
    ...service,
    namespace,
    tokens,
    api,
    authHeader: async (role) => ({ authorization: `Bearer ${await tokens.token(role)}` }),
    kafkaEnv: kafka.env,
  };
}

/** A test whose `service` fixture runs with these configuration variables set. */
export function serviceTestWith(env: Readonly<Record<string, string>>) {
  return registryTest.extend<{ service: ServiceUnderTest }>({
    service: async ({ databaseUrl, registryUrl, kafkaBrokers }, use) => {
      const service = await startServiceUnderTest({ databaseUrl, registryUrl, kafkaBrokers }, env);
      try {
        await use(service);
      } finally {
        await service.close();
      }
    },
  });
}

export const serviceTest = serviceTestWith({});

export type Delivery = { readonly ack?: string; readonly httpStatus?: number; readonly body?: unknown };

/** Delivers one sample file the way its channel does: MLLP for .hl7, HTTP POST otherwise. */
export async function deliverSample(service: ServiceUnderTest, file: string): Promise<Delivery> {
  const bytes = sampleBytes(file);
  if (file.startsWith('hl7v2/')) {
    const client = await openMllp(service.mllpPort);
    try {
      return { ack: msaOf(await client.send(bytes)).code };
    } finally {
      client.close();
    }
  }
  const path = file.startsWith('json/') ? '/events' : fhirPathOf(bytes, file);
  const headers: Record<string, string> = {
    'content-type': file.startsWith('json/') ? 'application/json' : 'application/fhir+json',
    ...(await service.authHeader('integration')),
  };
  if (file.startsWith('json/')) {
    const key = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { idempotencyKey?: string }).idempotencyKey;
    if (key !== undefined) headers['idempotency-key'] = key;
  }
  const response = await fetch(`${service.httpUrl}${path}`, { method: 'POST', headers, body: Buffer.from(bytes) });
  return { httpStatus: response.status, body: await response.json() };
}

function fhirPathOf(bytes: Uint8Array, file: string): string {
  const body = JSON.parse(Buffer.from(bytes).toString('utf8')) as { resourceType?: string; type?: string };
  if (file.includes('subscription_notification')) return '/fhir/notify';
  if (body.resourceType === 'Bundle') return '/fhir';
  // A resource sent to the wrong endpoint is part of the contract: bad_wrong_resource_type goes to Condition.
  return file.includes('wrong_resource_type') ? '/fhir/Condition' : `/fhir/${body.resourceType ?? 'Unknown'}`;
}

/** Every event on the service's canonical topic, decoded, read from offset 0 to the current end. */
export async function readCanonicalEvents(
  service: Pick<ServiceUnderTest, 'namespace' | 'brokers' | 'registryUrl'>,
  /** How to log in to a cluster the test started itself (the run's broker: as admin). */
  security?: KafkaClientSecurity,
): Promise<readonly ClinicalEvent[]> {
  const topic = topicNames(service.namespace).canonical;
  const registry = createRegistry(new URL(service.registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topicNames(service.namespace)));
  const codec = createEventCodec(registry, byEventType);
  const connection =
    security === undefined
      ? (await kafkaConnectionFor(service.brokers)).connection
      : { brokers: service.brokers, security };
  const kafka = createKafkaClient({ ...connection, clientId: 'e2e-reader' });
  const ends = await fetchPartitionOffsets(kafka, topic);
  const expected = ends.reduce((n, p) => n + Number(p.high), 0);
  const events: ClinicalEvent[] = [];
  if (expected === 0) return events;
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen += 1;
        if (message.value !== null) events.push(await codec.decode(message.value));
        if (seen >= expected) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return events;
}
