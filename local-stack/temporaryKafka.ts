/**
 * A throw-away Kafka for one test run or benchmark: the configured cluster when KAFKA_BROKERS
 * is set, else one local node in a temporary directory on free ports, removed on stop.
 * The directory name carries the owner's pid, so a later run can clean up after a killed one. I/O.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../platform/config.js';
import { bootstrapOf, readClusterLayout, startKafkaCluster, stopKafkaCluster } from './kafkaCluster.js';
import { ensureKafkaJars } from './kafkaJars.js';

export type TemporaryKafka = {
  readonly brokers: readonly string[];
  readonly jarsDir: string;
  readonly stop: () => Promise<void>;
};

export async function startTemporaryKafka(
  config: Config,
  options: { readonly prefix: string; readonly onProgress?: (message: string) => void },
): Promise<TemporaryKafka> {
  const jarsDir = await ensureKafkaJars({
    cacheDir: config.localStack.dir,
    version: config.localStack.kafkaVersion,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (config.kafkaBrokers !== 'local-stack')
    return { brokers: config.kafkaBrokers, jarsDir, stop: async () => undefined };
  await stopAbandoned(options.prefix);
  const dir = await mkdtemp(join(tmpdir(), `${options.prefix}${process.pid}-`));
  const layout = await startKafkaCluster({
    dir,
    version: config.localStack.kafkaVersion,
    jarsDir,
    brokerCount: 1,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return {
    brokers: bootstrapOf(layout).split(','),
    jarsDir,
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
    const layout = await readClusterLayout(dir);
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
