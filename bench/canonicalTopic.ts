/**
 * The canonical topic the views and replay benchmarks read: the deterministic workload
 * (bench/canonicalWorkload.ts) encoded as the adapters write it (Avro in the registry's wire
 * format, NHS number as key, type/id/correlation headers), produced once per bench run and
 * shared. It lives on the run's temporary broker, which goes with it. I/O.
 */
import { randomBytes } from 'node:crypto';
import { createEventCodec, type EventCodec } from '../platform/eventCodec.js';
import { createKafkaClient, type Kafka } from '../platform/kafka.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { canonicalRecord } from '../producers/publish/kafkaPublisher.js';
import { topicNames } from '../schemas/topics.js';
import type { BenchContext } from './benchmark.js';
import { canonicalWorkload } from './canonicalWorkload.js';

export type CanonicalTopic = {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  readonly topic: string;
  readonly partitions: number;
  readonly events: number;
  readonly patients: number;
  /** End offset per partition once produced. */
  readonly ends: ReadonlyMap<number, bigint>;
  readonly meanValueBytes: number;
};

const PARTITIONS = 6;
const PRODUCE_BATCH = 4000;
const SENDS_IN_FLIGHT = 3;

const produced = new Map<string, Promise<CanonicalTopic>>();

/** The workload of `events` events over `patients` patients, produced on first use. */
export function sharedCanonicalTopic(context: BenchContext, events: number, patients: number): Promise<CanonicalTopic> {
  const key = `${context.kafkaBrokers.join(',')}|${context.registryUrl}|${events}|${patients}`;
  const existing = produced.get(key);
  if (existing !== undefined) return existing;
  const producing = produceCanonicalTopic(context, events, patients);
  produced.set(key, producing);
  producing.catch(() => produced.delete(key));
  return producing;
}

async function produceCanonicalTopic(context: BenchContext, events: number, patients: number): Promise<CanonicalTopic> {
  const topics = topicNames(`bench-${randomBytes(4).toString('hex')}`);
  const topic = topics.canonical;
  const registry = createRegistry(new URL(context.registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topics));
  const codec = createEventCodec(registry, byEventType);
  const kafka = createKafkaClient({
    brokers: context.kafkaBrokers,
    clientId: 'bench',
    ...(context.kafkaSecurity === undefined ? {} : { security: context.kafkaSecurity }),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
    context.progress(`producing ${events} events for ${patients} patients to ${topic} (setup, not measured)…`);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let messages: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    let sent = 0;
    let valueBytes = 0;
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    const flush = async () => {
      if (messages.length === 0) return;
      const batch = messages;
      messages = [];
      const sending = producer.send({ topic, acks: -1, messages: batch }).then(() => {
        sent += batch.length;
        inFlight.delete(sending);
        if (sent % 100_000 < batch.length) context.progress(`  ${sent} / ${events} produced`);
      });
      inFlight.add(sending);
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    };
    for (const event of canonicalWorkload(events, patients)) {
      const value = codec.encode(event);
      valueBytes += value.length;
      messages.push(canonicalRecord(event, value));
      if (messages.length >= PRODUCE_BATCH) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    await producer.disconnect();
    context.progress(
      `produced ${sent} in ${((performance.now() - started) / 1000).toFixed(0)} s; mean value ${Math.round(valueBytes / sent)} B`,
    );
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    return {
      kafka,
      codec,
      topic,
      partitions: PARTITIONS,
      events: sent,
      patients,
      ends,
      meanValueBytes: valueBytes / sent,
    };
  } finally {
    await admin.disconnect();
  }
}
