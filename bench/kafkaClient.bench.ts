/**
 * The Kafka client path the project publishes and consumes through (platform/kafka.ts),
 * against the broker's own ProducerPerformance / ConsumerPerformance on the same broker,
 * same record size, acks=all, idempotence on. This is the physical-limit peer later
 * benchmarks compare the ingest and apply paths with.
 */
import { randomBytes } from 'node:crypto';
import { createKafkaClient } from '../platform/kafka.js';
import type { Benchmark, BenchRow } from './benchmark.js';
import { consumerPerformance, producerPerformance } from './kafkaPeer.js';

const RECORD_SIZE = 512;
const BATCH = 500;

export const kafkaClientBenchmark: Benchmark = {
  name: 'kafka-client',
  async run(context): Promise<readonly BenchRow[]> {
    const records = Math.round(200_000 * context.scale);
    const kafka = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench' });
    const admin = kafka.admin();
    await admin.connect();
    const suffix = randomBytes(4).toString('hex');
    const ours = `bench-ours-${suffix}`;
    const peerDefault = `bench-peer-${suffix}`;
    const peerTuned = `bench-peer-tuned-${suffix}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [ours, peerDefault, peerTuned].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });

    context.progress(`produce ${records} × ${RECORD_SIZE} B through our Kafka client…`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: ours, acks: -1, messages: [{ value: 'warm-up' }] });
    const value = randomBytes(RECORD_SIZE / 2).toString('hex');
    const started = performance.now();
    for (let i = 0; i < records; i += BATCH) {
      const messages = Array.from({ length: Math.min(BATCH, records - i) }, (_, j) => ({
        key: `k${(i + j) % 1000}`,
        value,
      }));
      await producer.send({ topic: ours, acks: -1, messages });
    }
    const ourProduce = records / ((performance.now() - started) / 1000);
    await producer.disconnect();

    context.progress('produce with ProducerPerformance (defaults, then batch.size=262144 linger.ms=5)…');
    const peerA = await producerPerformance({
      jarsDir: context.kafkaJarsDir,
      brokers: context.kafkaBrokers,
      topic: peerDefault,
      records,
      recordSize: RECORD_SIZE,
    });
    const peerB = await producerPerformance({
      jarsDir: context.kafkaJarsDir,
      brokers: context.kafkaBrokers,
      topic: peerTuned,
      records,
      recordSize: RECORD_SIZE,
      extraProps: ['batch.size=262144', 'linger.ms=5'],
    });
    const peerProduce = Math.max(peerA.recordsPerSec, peerB.recordsPerSec);

    context.progress(`consume ${records + 1} records through our Kafka client…`);
    const consumer = kafka.consumer({ groupId: `bench-${suffix}`, maxBytes: 64 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: ours, fromBeginning: true });
    let consumed = 0;
    let firstAt = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          if (firstAt === 0) firstAt = performance.now();
          consumed += batch.messages.length;
          if (consumed >= records + 1) resolve();
        },
      });
    });
    await done;
    const ourConsume = consumed / ((performance.now() - firstAt) / 1000);
    await consumer.disconnect();

    context.progress('consume with ConsumerPerformance…');
    const peerConsume = await consumerPerformance({
      jarsDir: context.kafkaJarsDir,
      brokers: context.kafkaBrokers,
      topic: peerTuned,
      records,
    });
    await admin.deleteTopics({ topics: [ours, peerDefault, peerTuned] });
    await admin.disconnect();

    return [
      {
        metric: `produce ${RECORD_SIZE} B, acks=all, idempotent (msgs/s)`,
        unit: 'msg/s',
        ours: ourProduce,
        peer: peerProduce,
        peerName: `ProducerPerformance (best of default ${Math.round(peerA.recordsPerSec)} / tuned ${Math.round(peerB.recordsPerSec)})`,
        higherIsBetter: true,
      },
      {
        metric: `consume ${RECORD_SIZE} B from offset 0 (msgs/s)`,
        unit: 'msg/s',
        ours: ourConsume,
        peer: peerConsume.fetchRecordsPerSec,
        peerName: 'ConsumerPerformance (fetch time, group join excluded as in ours)',
        higherIsBetter: true,
      },
    ];
  },
};
