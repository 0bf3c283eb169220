/**
 * The embedded default stack: Kafka from Maven jars as child processes, the machine's
 * PostgreSQL (database created and migrated), and the project's topics. `up`, `down` and
 * `status` here back `npm run stack` and `npm start`. I/O.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, maskUrl } from '../platform/config.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { createKafkaClient, probeKafka } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import { ensureDatabase, isDatabaseUp } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { topicSpecs } from '../schemas/topics.js';
import {
  bootstrapOf,
  type ClusterLayout,
  kafkaClusterStatus,
  readClusterLayout,
  startKafkaCluster,
  stopKafkaCluster,
} from './kafkaCluster.js';
import { ensureKafkaJars } from './kafkaJars.js';

export type StackStatus = {
  readonly kafka: {
    readonly bootstrap: string | null;
    readonly up: boolean;
    readonly embedded: boolean;
    readonly version?: string;
    readonly brokers?: readonly { readonly nodeId: number; readonly pid: number | null; readonly running: boolean }[];
  };
  readonly database: { readonly url: string; readonly up: boolean };
};

const STATE_FILE = 'stack.json';
type StackState = { readonly clusterDir: string };

/** Where the embedded cluster for this configuration lives. */
export function clusterDirFor(config: Config): string {
  return join(config.localStack.dir, `kafka-${config.localStack.kafkaVersion}-x${config.localStack.brokerCount}`);
}

async function readState(config: Config): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(join(config.localStack.dir, STATE_FILE), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/** The embedded cluster that `up` started (or would start), if it was ever created. */
async function activeCluster(config: Config): Promise<ClusterLayout | undefined> {
  const state = await readState(config);
  return readClusterLayout(state?.clusterDir ?? clusterDirFor(config));
}

/** The brokers to connect to: configured ones, or the embedded cluster's (started if needed). */
export async function stackUp(
  config: Config,
  options: { readonly onProgress?: (message: string) => void; readonly logger?: Logger } = {},
): Promise<{ readonly brokers: readonly string[]; readonly startedKafka: boolean }> {
  const progress = options.onProgress ?? (() => undefined);
  let brokers: readonly string[];
  let startedKafka = false;
  if (config.kafkaBrokers === 'local-stack') {
    const running = await activeCluster(config);
    if (running !== undefined && running.dir !== clusterDirFor(config)) {
      const status = await kafkaClusterStatus(running);
      if (status.nodes.some((n) => n.running)) {
        throw new Error(
          `a local Kafka ${running.version} ×${running.nodes.length} stack is running from ${running.dir}; run \`npm run stack -- down\` before starting another version or size`,
        );
      }
    }
    const jarsDir = await ensureKafkaJars({
      cacheDir: config.localStack.dir,
      version: config.localStack.kafkaVersion,
      onProgress: progress,
    });
    const before = running === undefined ? undefined : await kafkaClusterStatus(running);
    const layout = await startKafkaCluster({
      dir: clusterDirFor(config),
      version: config.localStack.kafkaVersion,
      jarsDir,
      brokerCount: config.localStack.brokerCount,
      firstPort: config.localStack.kafkaPort,
      onProgress: progress,
    });
    startedKafka = before === undefined || !before.up;
    await mkdir(config.localStack.dir, { recursive: true });
    await writeFile(join(config.localStack.dir, STATE_FILE), `${JSON.stringify({ clusterDir: layout.dir })}\n`);
    brokers = bootstrapOf(layout).split(',');
  } else {
    brokers = config.kafkaBrokers;
  }

  const { created } = await ensureDatabase(config.databaseUrl);
  if (created) progress(`PostgreSQL: created database ${config.databaseUrl.pathname.slice(1)}`);
  const migrations = await runMigrations(
    config.databaseUrl,
    options.logger === undefined ? {} : { logger: options.logger },
  );
  progress(
    `PostgreSQL: ${migrations.applied.length} migration(s) applied, ${migrations.alreadyApplied} already applied`,
  );

  const kafka = createKafkaClient({
    brokers,
    clientId: config.kafkaClientId,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const cluster = await probeKafka(brokers, 10_000);
  const topics = await ensureTopics(
    kafka,
    topicSpecs({
      namespace: config.topicNamespace,
      partitions: config.topicPartitions,
      brokerCount: cluster?.brokers.length ?? 1,
    }),
    options.logger,
  );
  if (topics.created.length > 0) progress(`Kafka: created topics ${topics.created.join(', ')}`);
  return { brokers, startedKafka };
}

/** Stops the embedded Kafka cluster, if one runs. PostgreSQL is the machine's and stays up. */
export async function stackDown(
  config: Config,
  onProgress: (message: string) => void = () => undefined,
): Promise<void> {
  const layout = await activeCluster(config);
  if (layout === undefined) {
    onProgress('no local Kafka stack was started here');
    return;
  }
  const started = Date.now();
  await stopKafkaCluster(layout);
  await rm(join(config.localStack.dir, STATE_FILE), { force: true });
  onProgress(
    `Kafka ${layout.version}: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s (data kept in ${layout.dir})`,
  );
}

export async function stackStatus(config: Config): Promise<StackStatus> {
  const database = { url: maskUrl(config.databaseUrl), up: await isDatabaseUp(config.databaseUrl) };
  if (config.kafkaBrokers !== 'local-stack') {
    const answered = await probeKafka(config.kafkaBrokers, 3000);
    return {
      kafka: { bootstrap: config.kafkaBrokers.join(','), up: answered !== undefined, embedded: false },
      database,
    };
  }
  const layout = await activeCluster(config);
  if (layout === undefined) return { kafka: { bootstrap: null, up: false, embedded: true }, database };
  const status = await kafkaClusterStatus(layout);
  return {
    kafka: {
      bootstrap: status.bootstrap,
      up: status.up,
      embedded: true,
      version: status.version,
      brokers: status.nodes.map((n) => ({ nodeId: n.nodeId, pid: n.pid ?? null, running: n.running })),
    },
    database,
  };
}
