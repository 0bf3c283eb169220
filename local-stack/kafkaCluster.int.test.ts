import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type AcknowledgedProducer, createAcknowledgedProducer } from '../platform/acknowledgedProducer.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { createKafkaClient, type Kafka } from '../platform/kafka.js';
import { topicSpecs } from '../schemas/topics.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import {
  bootstrapOf,
  type ClusterLayout,
  kafkaClusterStatus,
  signalKafkaNode,
  startKafkaCluster,
  stopKafkaCluster,
} from './kafkaCluster.js';

async function withCluster(brokerCount: number, work: (layout: ClusterLayout) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cel-fault-kafka-'));
  const layout = await startKafkaCluster({
    dir,
    version: inject('kafkaVersion'),
    jarsDir: inject('kafkaJarsDir'),
    brokerCount,
  });
  try {
    await work(layout);
  } finally {
    await stopKafkaCluster(layout);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sends `count` records in batches with acks=all; a failed batch is retried on a new producer. */
async function produceAcked(
  kafka: Kafka,
  topic: string,
  from: number,
  count: number,
  onProgress: (acked: number) => void = () => undefined,
): Promise<number> {
  let producer: AcknowledgedProducer | undefined;
  let acked = 0;
  const deadline = Date.now() + 90_000;
  for (let i = from; i < from + count; i += 100) {
    const messages = Array.from({ length: Math.min(100, from + count - i) }, (_, j) => ({
      key: `patient-${(i + j) % 17}`,
      value: `record-${i + j}`,
    }));
    for (;;) {
      try {
        if (producer === undefined) {
          producer = createAcknowledgedProducer(kafka);
          await producer.connect();
        }
        await producer.send(topic, messages);
        acked += messages.length;
        onProgress(acked);
        break;
      } catch (error) {
        // After a broker loss an idempotent kafkajs producer can stay wedged; make a new one.
        if (Date.now() > deadline) throw error;
        await producer?.disconnect().catch(() => undefined);
        producer = undefined;
      }
    }
  }
  await producer?.disconnect();
  return acked;
}

/**
 * Every value on the topic. Right after a broker is killed, a kafkajs consumer can spend its
 * whole first attempt finding the group coordinator; a later attempt uses a fresh consumer
 * (a new group) and the values seen so far are kept — none may be missing in the end.
 */
async function readAllValues(kafka: Kafka, topic: string, expected: number): Promise<Set<string>> {
  const values = new Set<string>();
  for (let attempt = 1; ; attempt += 1) {
    const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}-${attempt}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          values.add(message.value?.toString() ?? '');
        },
      });
      await expect.poll(() => values.size >= expected, { timeout: 40_000 }).toBe(true);
      return values;
    } catch (error) {
      if (attempt >= 3) throw error;
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }
}

describe('local Kafka under faults', () => {
  test('kill -9 after N acked records: the launcher reports it down, and after a restart on the same data all N are there', async () => {
    await withCluster(1, async (layout) => {
      const kafka = createKafkaClient({ brokers: bootstrapOf(layout).split(','), clientId: 'fault-test' });
      const [spec] = topicSpecs({ namespace: 'fault', partitions: 3, brokerCount: 1 });
      if (spec === undefined) throw new Error('no topic spec');
      await ensureTopics(kafka, [spec]);
      const acked = await produceAcked(kafka, spec.topic, 0, 5000);
      expect(acked).toBe(5000);

      await signalKafkaNode(layout, 1, 'SIGKILL');
      const down = await kafkaClusterStatus(layout);
      expect(down.up).toBe(false);
      expect(down.nodes.map((n) => n.running)).toEqual([false]);

      await startKafkaCluster({ dir: layout.dir, version: layout.version, jarsDir: layout.jarsDir, brokerCount: 1 });
      expect((await kafkaClusterStatus(layout)).up).toBe(true);
      const fresh = createKafkaClient({ brokers: bootstrapOf(layout).split(','), clientId: 'fault-test-after' });
      const values = await readAllValues(fresh, spec.topic, 5000);
      expect(values.size).toBe(5000);
      for (let i = 0; i < 5000; i += 1) expect(values.has(`record-${i}`)).toBe(true);
    });
  });

  test('a 3-broker cluster keeps taking acks=all writes with one broker killed, and loses none', async () => {
    await withCluster(3, async (layout) => {
      const kafka = createKafkaClient({ brokers: bootstrapOf(layout).split(','), clientId: 'ha-test' });
      const [spec] = topicSpecs({ namespace: 'ha', partitions: 6, brokerCount: 3 });
      if (spec === undefined) throw new Error('no topic spec');
      await ensureTopics(kafka, [spec]);
      const admin = kafka.admin();
      await admin.connect();
      // Every broker learns new topic metadata asynchronously; ask until the one asked knows it.
      const replicaCounts = async () => {
        try {
          const metadata = await admin.fetchTopicMetadata({ topics: [spec.topic] });
          return metadata.topics[0]?.partitions.map((p) => p.replicas.length);
        } catch {
          return undefined;
        }
      };
      await expect.poll(replicaCounts, { timeout: 30_000 }).toEqual([3, 3, 3, 3, 3, 3]);
      await admin.disconnect();

      expect(await produceAcked(kafka, spec.topic, 0, 1000)).toBe(1000);
      // The broker dies while sends are in flight: the moment kafkajs alone can resolve a send
      // with a partition left out (platform/acknowledgedProducer.ts).
      let progress = 0;
      const streaming = produceAcked(kafka, spec.topic, 1000, 4000, (acked) => {
        progress = acked;
      });
      await expect.poll(() => progress, { timeout: 60_000 }).toBeGreaterThanOrEqual(500);
      await signalKafkaNode(layout, 2, 'SIGKILL');
      const degraded = await kafkaClusterStatus(layout);
      expect(degraded.nodes.map((n) => n.running)).toEqual([true, false, true]);
      expect(degraded.up).toBe(true);
      expect(await streaming).toBe(4000);

      const values = await readAllValues(kafka, spec.topic, 5000);
      expect(values.size).toBe(5000);
    });
  }, 300_000); // a cluster of 3, a kill, and up to 3 reads of 40 s
});
