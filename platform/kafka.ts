/**
 * The module that knows the Kafka client library (with acknowledgedProducer.ts, its producer):
 * client creation with logs routed to pino, and a metadata probe. Everything else speaks in our
 * terms, so the client stays a measured, replaceable choice. I/O.
 */
import { setTimeout as delay } from 'node:timers/promises';
import kafkajs, { type Admin, type Kafka, type KafkaConfig, type LogEntry } from 'kafkajs';
import './kafkajsIdleLoopFix.js';
import { explainKafkaLoginFailure, type KafkaLoginAttempt } from './kafkaLoginFailure.js';
import type { KafkaClientSecurity } from './kafkaSecurity.js';
import type { Logger } from './logger.js';

export type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';

// kafkajs is CommonJS; Node's ESM loader does not see all of its named exports.
const { Kafka: KafkaClient, logLevel: KafkaLogLevel, ConfigResourceTypes } = kafkajs;

export { ConfigResourceTypes };

export type KafkaClientOptions = {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: Logger;
  /** Fail fast instead of retrying for ~30 s; used by probes. */
  readonly failFast?: boolean;
  /** TLS and SASL (platform/kafkaSecurity.ts `loadKafkaSecurity`); none means PLAINTEXT. */
  readonly security?: KafkaClientSecurity;
};

export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    logLevel: options.logger === undefined ? KafkaLogLevel.NOTHING : KafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => forwardKafkaLog(options.logger, entry),
    ...(options.failFast === true ? { retry: { retries: 0 } } : {}),
    ...(options.security?.ssl === undefined ? {} : { ssl: options.security.ssl }),
    ...(options.security?.sasl === undefined ? {} : { sasl: options.security.sasl }),
  };
  return new KafkaClient(config);
}

/**
 * kafkajs warns about bounded retries on an idempotent producer because one that gave up could
 * go on with stale sequence numbers; ours never goes on: a producer whose send failed is
 * replaced (producers/publish/kafkaPublisher.ts), so the warning says nothing to an operator.
 */
const ANSWERED_BY_DESIGN = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

export function forwardKafkaLog(logger: Logger | undefined, entry: LogEntry): void {
  if (logger === undefined) return;
  const { message, ...rest } = entry.log;
  const fields = { module: 'kafkajs', namespace: entry.namespace, ...rest };
  // An error answer to one request ("Response ListOffsets", "Response GroupCoordinator" …)
  // is handed to whoever made it: retried when transient (a leader or coordinator moving, as
  // at every start), thrown and reported by our code when not. At error level it would cry
  // wolf at each start-up.
  const answeredToCaller = entry.namespace === 'Connection' && message.startsWith('Response ');
  if (ANSWERED_BY_DESIGN.has(message) || answeredToCaller) logger.debug(fields, message);
  else if (entry.level === KafkaLogLevel.ERROR) logger.error(fields, message);
  else if (entry.level === KafkaLogLevel.WARN) logger.warn(fields, message);
  else logger.debug(fields, message);
}

export type ClusterDescription = { readonly brokers: readonly { readonly nodeId: number; readonly address: string }[] };

/**
 * Asks the cluster for its metadata; undefined when no broker answers within the timeout.
 * Each address is asked on its own, so one dead broker in the list cannot fail the probe.
 */
export async function probeKafka(
  brokers: readonly string[],
  timeoutMs = 3000,
  security?: KafkaClientSecurity,
): Promise<ClusterDescription | undefined> {
  for (const broker of brokers) {
    const answer = await probeOneBroker(broker, timeoutMs, security);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

async function probeOneBroker(
  broker: string,
  timeoutMs: number,
  security: KafkaClientSecurity | undefined,
): Promise<ClusterDescription | undefined> {
  const admin = createKafkaClient({
    brokers: [broker],
    clientId: 'cel-probe',
    failFast: true,
    ...(security === undefined ? {} : { security }),
  }).admin();
  const deadline = Date.now() + timeoutMs;
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
  const probe = (async () => {
    try {
      await admin.connect();
    } catch {
      return undefined; // "no answer" is the result a probe reports
    }
    // kafkajs asks a random known broker for the description; one that has just died is still in
    // the metadata for a few seconds and refuses at once, so ask again until the deadline.
    while (Date.now() < deadline) {
      try {
        const cluster = await admin.describeCluster();
        return { brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, address: `${b.host}:${b.port}` })) };
      } catch {
        await delay(100);
      }
    }
    return undefined;
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}

/** The service cannot log in to Kafka; the message names the setting to fix. */
export class KafkaLoginError extends Error {
  readonly code = 'CEL_ERR_KAFKA_LOGIN';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaLoginError';
  }
}

/**
 * Logs in to the cluster as the configuration says (TLS, SASL) and asks for its metadata, one
 * broker at a time until one lets the client in; when none does, fails with KafkaLoginError
 * explaining the first broker's refusal (a wrong password, an untrusted certificate, a listener
 * of another protocol …) rather than retrying for half a minute and saying "connection error".
 */
export async function checkKafkaLogin(
  attempt: KafkaLoginAttempt,
  security: KafkaClientSecurity | undefined,
  timeoutMs = 10_000,
): Promise<void> {
  let first: unknown;
  for (const broker of attempt.brokers) {
    const admin = createKafkaClient({
      brokers: [broker],
      clientId: 'cel-login-check',
      failFast: true,
      ...(security === undefined ? {} : { security }),
    }).admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await admin.connect();
          await admin.describeCluster();
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return;
    } catch (error) {
      first ??= error;
    } finally {
      clearTimeout(timer);
      void admin.disconnect().catch(() => undefined);
    }
  }
  throw new KafkaLoginError(explainKafkaLoginFailure(first, attempt), { cause: first });
}

export type PartitionOffsets = { readonly partition: number; readonly low: bigint; readonly high: bigint };

/** Reads a topic's first and end offsets over one admin connection, kept between reads. */
export type OffsetReader = {
  read(topic: string, timeoutMs?: number): Promise<readonly PartitionOffsets[]>;
  close(): Promise<void>;
};

/**
 * kafkajs' admin gives up at once on answers a moment of leader movement produces (NOT_LEADER,
 * LEADER_NOT_AVAILABLE — common right after a topic is created or a broker restarts), so a read
 * asks again with a fresh connection and fresh metadata until its deadline.
 */
export function createOffsetReader(kafka: Kafka): OffsetReader {
  let admin: Admin | undefined;
  const drop = async () => {
    const current = admin;
    admin = undefined;
    await current?.disconnect().catch(() => undefined);
  };
  return {
    async read(topic, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          if (admin === undefined) {
            const connecting = kafka.admin();
            admin = connecting;
            await connecting.connect();
          }
          const offsets = await admin.fetchTopicOffsets(topic);
          return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
        } catch (error) {
          await drop();
          const retriable = (error as { retriable?: unknown }).retriable === true;
          if (!retriable || Date.now() > deadline) throw error;
          await delay(250);
        }
      }
    },
    close: drop,
  };
}

/** The topic's first and end offsets per partition, over a connection of its own. */
export async function fetchPartitionOffsets(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<readonly PartitionOffsets[]> {
  const reader = createOffsetReader(kafka);
  try {
    return await reader.read(topic, timeoutMs);
  } finally {
    await reader.close();
  }
}
