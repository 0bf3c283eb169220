/**
 * The views on a 3-broker cluster (3 replicas, min.insync.replicas 2) when a broker is killed
 * while they consume: the consumers find the new leaders and coordinators by themselves, the
 * rest of the log is applied, and the views equal a reference fold — nothing lost, nothing
 * applied twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ViewConsumer } from '../../consumers/runViewConsumer.js';
import { runnableViews } from '../../consumers/views.js';
import { bootstrapOf, signalKafkaNode, startKafkaCluster, stopKafkaCluster } from '../../local-stack/kafkaCluster.js';
import { createAcknowledgedProducer } from '../../platform/acknowledgedProducer.js';
import { createLogger } from '../../platform/logger.js';
import { registryTest as test } from '../../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { describe, expect } from '../support/fixtures.js';
import {
  canonicalRecords,
  caughtUp,
  expectViewsToEqualReference,
  openViewLog,
  type ViewLog,
} from '../support/viewLog.js';
import { workload } from '../support/viewWorkload.js';

/**
 * Sends the events as the adapters do (every record acknowledged, acks=all); after a broker loss
 * a send is retried on a new producer.
 */
async function produceThroughLoss(log: ViewLog, events: readonly ClinicalEvent[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (let i = 0; i < events.length; i += 100) {
    for (;;) {
      const producer = createAcknowledgedProducer(log.kafka);
      try {
        await producer.connect();
        await producer.send(log.topic, canonicalRecords(log, events.slice(i, i + 100)));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }
  }
}

describe('the views when a broker dies', () => {
  test('a 3-broker cluster loses a broker mid-stream: every view catches up and equals the reference fold', async ({
    databaseUrl,
    registryUrl,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-views-broker-loss-'));
    const layout = await startKafkaCluster({
      dir,
      version: inject('kafkaVersion'),
      jarsDir: inject('kafkaJarsDir'),
      brokerCount: 3,
    });
    const consumers: ViewConsumer[] = [];
    let log: ViewLog | undefined;
    try {
      log = await openViewLog({
        databaseUrl,
        registryUrl,
        kafkaBrokers: bootstrapOf(layout).split(','),
        brokerCount: 3,
      });
      const events = workload(80);
      const half = Math.floor(events.length / 2);
      const logger = createLogger('silent');
      for (const view of runnableViews) {
        const consumer = view.consumer({
          kafka: log.kafka,
          pool: log.pool,
          topic: log.topic,
          codec: log.codec,
          groupId: `${log.namespace}.${view.name}`,
          logger,
          maxBytesPerPartition: 4096,
        });
        consumers.push(consumer);
        await consumer.start();
      }
      await produceThroughLoss(log, events.slice(0, half));
      await expect.poll(() => caughtUp(log as ViewLog), { timeout: 60_000, interval: 200 }).toBe(true);

      await signalKafkaNode(layout, 2, 'SIGKILL');
      await produceThroughLoss(log, events.slice(half));
      await expect.poll(() => caughtUp(log as ViewLog), { timeout: 120_000, interval: 500 }).toBe(true);
      await expectViewsToEqualReference(log, events);
    } finally {
      for (const consumer of consumers) await consumer.stop().catch(() => undefined);
      await log?.pool.end();
      await stopKafkaCluster(layout);
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
