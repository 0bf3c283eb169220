/**
 * Window replay for analysts. A canonical topic of 200k events (× BENCH_SCALE, 6 partitions,
 * record times spread over ~70 days) is produced once; then the export reads it to a file as
 * `npm run replay -- export` does (plan, partition by partition, decode, format, write), and a
 * peer reads it the plain way: one consumer on every partition at once, decode and JSON lines
 * in arrival order, no plan and no order. Both runs include joining their throw-away group.
 * I/O.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventCodec } from '../platform/eventCodec.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient, type EachBatchPayload, type Kafka } from '../platform/kafka.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { canonicalRecord } from '../producers/publish/kafkaPublisher.js';
import { type ExportFormat, encodeRows } from '../replay/encodeRows.js';
import { jsonLineOf } from '../replay/exportRow.js';
import { parseReplayWindow, type ReplayWindow } from '../replay/parseReplayWindow.js';
import { type LogSource, planWindow, readWindow } from '../replay/readWindow.js';
import { recordHeaders, topicNames } from '../schemas/topics.js';
import type { BenchContext, Benchmark, BenchRow } from './benchmark.js';
import { canonicalWorkload } from './canonicalWorkload.js';

const EVENTS = 200_000;
const PATIENTS = 10_000;
const PARTITIONS = 6;
const PRODUCE_BATCH = 4000;
const PEER_NAME = 'kafkajs, every partition at once, decode + JSON line, arrival order';

type Run = { readonly events: number; readonly offsets: number; readonly seconds: number; readonly bytes: number };

async function produce(context: BenchContext, kafka: Kafka, codec: EventCodec, topic: string, count: number) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let messages: { key: string; value: Buffer; timestamp: string; headers: Record<string, string> }[] = [];
  const flush = async () => {
    if (messages.length === 0) return;
    await producer.send({ topic, acks: -1, messages });
    messages = [];
  };
  for (const event of canonicalWorkload(count, PATIENTS)) {
    messages.push({
      ...canonicalRecord(event, codec.encode(event)),
      // The record time as the adapter would have stamped it when it wrote the event.
      timestamp: String(event.recordedAt.getTime()),
    });
    if (messages.length >= PRODUCE_BATCH) await flush();
  }
  await flush();
  await producer.disconnect();
  context.progress(`produced ${count} events to ${topic}`);
}

/** Ours: plan, read partition by partition, encode, write the file. */
async function exportToFile(source: LogSource, window: ReplayWindow, format: ExportFormat, file: string): Promise<Run> {
  const started = performance.now();
  const plan = await planWindow(source, window);
  let events = 0;
  await pipeline(
    Readable.from(
      encodeRows(
        format,
        readWindow(source, window, plan, (p) => {
          events = p.events;
        }),
      ),
    ),
    createWriteStream(file),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events, offsets: Number(plan.offsets), seconds, bytes: (await stat(file)).size };
}

type Message = EachBatchPayload['batch']['messages'][number];

/** The peer: every partition at once from offset 0 to the end, `wanted` records decoded and written as JSON lines. */
async function plainConsume(
  source: LogSource,
  ends: ReadonlyMap<number, bigint>,
  wanted: (message: Message) => boolean,
  file: string,
): Promise<Run> {
  const started = performance.now();
  const output = createWriteStream(file);
  const consumer = source.kafka.consumer({
    groupId: `bench-export-peer-${Date.now()}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  let events = 0;
  let offsets = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: source.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      let text = '';
      for (const message of batch.messages) {
        offsets += 1;
        if (message.value === null || !wanted(message)) continue;
        const event = await source.codec.decode(message.value);
        text += jsonLineOf({
          partition: batch.partition,
          offset: message.offset,
          recordTime: new Date(Number(message.timestamp)),
          event,
        });
        events += 1;
      }
      if (!output.write(text)) await once(output, 'drain');
      if (BigInt(batch.lastOffset()) + 1n >= (ends.get(batch.partition) ?? 0n)) {
        remaining.delete(batch.partition);
        if (remaining.size === 0) finish();
      }
    },
  });
  await done;
  await consumer.disconnect();
  await new Promise<void>((resolve) => output.end(resolve));
  const seconds = (performance.now() - started) / 1000;
  return { events, offsets, seconds, bytes: (await stat(file)).size };
}

const window = (from: string, to: string, kinds?: string): ReplayWindow => {
  const parsed = parseReplayWindow({ from, to, kinds });
  if (!parsed.ok) throw new Error(`bench window ${from}..${to}: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
};

export const exportBenchmark: Benchmark = {
  name: 'export',
  async run(context) {
    const count = Math.round(EVENTS * context.scale);
    const topics = topicNames(`bench-export-${Date.now()}`);
    const topic = topics.canonical;
    const registry = createRegistry(new URL(context.registryUrl));
    const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topics));
    const kafka = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench-export' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
    const dir = await mkdtemp(join(tmpdir(), 'cel-bench-export-'));
    try {
      await produce(context, kafka, createEventCodec(registry, byEventType), topic, count);
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
      // A fresh codec per run, so each pays its own schema lookups as a new process would.
      const source = (): LogSource => ({ kafka, topic, codec: createEventCodec(registry, new Map()) });
      const whole = window('2000-01-01', '2100-01-01');
      const oneKind = window('2000-01-01', '2100-01-01', 'PatientDischarged');
      // canonicalWorkload: clinical time from 2025-01-01, 30 s per event, recorded 90 s later.
      const month = window('2025-01-20', '2025-02-20');
      const inMonth = (m: Message) =>
        Number(m.timestamp) >= month.from.getTime() && Number(m.timestamp) < month.to.getTime();
      const isDischarge = (m: Message) => m.headers?.[recordHeaders.eventType]?.toString() === 'PatientDischarged';

      // Unmeasured: the first read of the topic pays for the JIT and the broker's page cache.
      await exportToFile(source(), month, 'jsonl', join(dir, 'warm-up.jsonl'));
      const runs: Record<string, Run> = {};
      for (const [name, go] of [
        ['peer', () => plainConsume(source(), ends, () => true, join(dir, 'peer.jsonl'))],
        ['jsonl', () => exportToFile(source(), whole, 'jsonl', join(dir, 'all.jsonl'))],
        ['csv', () => exportToFile(source(), whole, 'csv', join(dir, 'all.csv'))],
        ['parquet', () => exportToFile(source(), whole, 'parquet', join(dir, 'all.parquet'))],
        ['peer-kind', () => plainConsume(source(), ends, isDischarge, join(dir, 'peer-kind.jsonl'))],
        ['kind', () => exportToFile(source(), oneKind, 'jsonl', join(dir, 'kind.jsonl'))],
        ['peer-month', () => plainConsume(source(), ends, inMonth, join(dir, 'peer-month.jsonl'))],
        ['month', () => exportToFile(source(), month, 'jsonl', join(dir, 'month.jsonl'))],
      ] as const) {
        const run = await go();
        runs[name] = run;
        context.progress(
          `${name}: ${run.events} events of ${run.offsets} offsets in ${run.seconds.toFixed(2)} s, ${(run.bytes / 2 ** 20).toFixed(1)} MiB`,
        );
      }
      const rate = (name: string) => {
        const run = runs[name];
        return run === undefined ? Number.NaN : run.events / run.seconds;
      };
      const offsetRate = (name: string) => {
        const run = runs[name];
        return run === undefined ? Number.NaN : run.offsets / run.seconds;
      };
      const row = (metric: string, ours: number, peer: number | undefined, peerName = PEER_NAME): BenchRow => ({
        metric,
        unit: 'events/s',
        ours,
        peer,
        peerName,
        higherIsBetter: true,
      });
      return [
        row(`export the whole log, JSON lines (events/s, ${count} events)`, rate('jsonl'), rate('peer')),
        row('export the whole log, CSV (events/s)', rate('csv'), rate('peer')),
        row('export the whole log, Parquet (events/s)', rate('parquet'), rate('peer')),
        row(
          'export one kind of 8 (22 %), by header (log offsets/s)',
          offsetRate('kind'),
          offsetRate('peer-kind'),
          `${PEER_NAME}, same header filter`,
        ),
        row(
          `export a 31-day window of ~${Math.round((count * 30) / 86_400)} days (window events/s)`,
          rate('month'),
          rate('peer-month'),
          `${PEER_NAME}, whole log, timestamp filter`,
        ),
      ];
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
