/**
 * Starts one real Kafka broker for the whole test run (unless KAFKA_BROKERS names one) and
 * hands its address and the PostgreSQL server to the tests. Each test then makes its own
 * topics, groups and databases.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bootstrapOf, readClusterLayout, startKafkaCluster, stopKafkaCluster } from '../local-stack/kafkaCluster.js';
import { ensureKafkaJars } from '../local-stack/kafkaJars.js';
import { loadConfig } from '../platform/config.js';

const TEST_CLUSTER_PREFIX = 'cel-test-kafka-';

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
  const progress = (message: string) => process.stderr.write(`[test stack] ${message}\n`);
  const jarsDir = await ensureKafkaJars({
    cacheDir: config.localStack.dir,
    version: config.localStack.kafkaVersion,
    onProgress: progress,
  });
  await stopAbandonedTestClusters();

  let teardown = async () => undefined;
  let brokers: string[];
  if (config.kafkaBrokers === 'local-stack') {
    const dir = await mkdtemp(join(tmpdir(), `${TEST_CLUSTER_PREFIX}${process.pid}-`));
    const layout = await startKafkaCluster({
      dir,
      version: config.localStack.kafkaVersion,
      jarsDir,
      brokerCount: 1,
      onProgress: progress,
    });
    brokers = bootstrapOf(layout).split(',');
    teardown = async () => {
      await stopKafkaCluster(layout);
      await rm(dir, { recursive: true, force: true });
    };
  } else {
    brokers = [...config.kafkaBrokers];
  }
  project.provide('kafkaBrokers', brokers);
  project.provide('databaseUrl', config.databaseUrl.toString());
  project.provide('kafkaVersion', config.localStack.kafkaVersion);
  project.provide('kafkaJarsDir', jarsDir);
  return teardown;
}

/** A run that was killed leaves its broker running; its directory names the dead owner's pid. */
async function stopAbandonedTestClusters(): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(TEST_CLUSTER_PREFIX)) continue;
    const ownerPid = Number(entry.slice(TEST_CLUSTER_PREFIX.length).split('-')[0]);
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
    return false;
  }
}
