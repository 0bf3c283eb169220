/**
 * A throw-away Kafka for one test run or benchmark: the configured cluster when KAFKA_BROKERS
 * is set, else local nodes in a temporary directory on free ports, removed on stop; `secure`
 * makes them a secured cluster like `npm run stack -- up --secure` (SASL_SSL, SCRAM, ACLs).
 * The directory name carries the owner's pid, so a later run can clean up after a killed one. I/O.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../platform/config.js';
import { bootstrapOf, readClusterLayout, startKafkaCluster, stopKafkaCluster } from './kafkaCluster.js';
import { ensureKafkaJars } from './kafkaJars.js';
import type { ScramPrincipal } from './scram.js';
import { principalEnv } from './secureKafkaClient.js';

/** The variables of the Kafka connection (KAFKA_BROKERS and the KAFKA_SECURITY_PROTOCOL family). */
export type KafkaClientEnv = Readonly<Record<string, string>>;

export type TemporaryKafka = {
  readonly brokers: readonly string[];
  readonly jarsDir: string;
  /** Where a secured cluster's CA and client credentials are; undefined for a plain or configured one. */
  readonly securityDir: string | undefined;
  /** How a process connects as `principal` (a configured cluster: as configured, whoever asks). */
  readonly clientEnv: (principal: ScramPrincipal) => KafkaClientEnv;
  readonly stop: () => Promise<void>;
};

/** The Kafka connection variables of the environment: how a configured cluster is reached. */
function configuredKafkaEnv(env: NodeJS.ProcessEnv): KafkaClientEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && (entry[0] === 'KAFKA_BROKERS' || /^KAFKA_(SECURITY|SASL|SSL)_/.test(entry[0])),
    ),
  );
}

export async function startTemporaryKafka(
  config: Config,
  options: {
    readonly prefix: string;
    readonly onProgress?: (message: string) => void;
    readonly secure?: boolean;
    readonly brokerCount?: number;
  },
): Promise<TemporaryKafka> {
  const jarsDir = await ensureKafkaJars({
    cacheDir: config.localStack.dir,
    version: config.localStack.kafkaVersion,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (config.kafkaBrokers !== 'local-stack') {
    const configured = configuredKafkaEnv(process.env);
    return {
      brokers: config.kafkaBrokers,
      jarsDir,
      securityDir: undefined,
      clientEnv: () => configured,
      stop: async () => undefined,
    };
  }
  await stopAbandoned(options.prefix);
  const dir = await mkdtemp(join(tmpdir(), `${options.prefix}${process.pid}-`));
  const securityDir = options.secure === true ? join(dir, 'security') : undefined;
  const layout = await startKafkaCluster({
    dir: join(dir, 'kafka'),
    version: config.localStack.kafkaVersion,
    jarsDir,
    brokerCount: options.brokerCount ?? 1,
    ...(securityDir === undefined ? {} : { securityDir }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const brokers = bootstrapOf(layout).split(',');
  const bootstrap = { KAFKA_BROKERS: brokers.join(',') };
  return {
    brokers,
    jarsDir,
    securityDir,
    clientEnv: (principal) =>
      securityDir === undefined ? bootstrap : { ...bootstrap, ...principalEnv(securityDir, principal) },
    stop: async () => {
      await stopKafkaCluster(layout);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A run that was killed leaves its broker running; its directory names the dead owner's pid. */
async function stopAbandoned(prefix: string): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const ownerPid = Number(entry.slice(prefix.length).split('-')[0]);
    if (isAlive(ownerPid)) continue;
    const dir = join(tmpdir(), entry);
    const layout = (await readClusterLayout(join(dir, 'kafka'))) ?? (await readClusterLayout(dir));
    if (layout !== undefined) await stopKafkaCluster(layout);
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // no such process
  }
}
