/**
 * The ingest path end to end: the real service in-process (MLLP and FHIR in; raw receipt,
 * PostgreSQL lookups and the published-events record; canonical events to Kafka with
 * acks=all); and the publish path alone (the adapters' Publisher with concurrent writers)
 * against the broker's own ProducerPerformance at the size of the canonical records it wrote.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Config, loadConfig } from '../platform/config.js';
import { createKafkaClient, type Kafka } from '../platform/kafka.js';
import { dropDatabase, ensureDatabase } from '../platform/postgres.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { topicNames } from '../schemas/topics.js';
import { type RunningService, runService } from '../service/runService.js';
import { sampleBytes } from '../test/support/samples.js';
import { type BenchContext, type Benchmark, type BenchRow, benchLogger, percentile } from './benchmark.js';
import { benchPublisher } from './benchPublisher.js';
import { benchToken } from './benchToken.js';
import { canonicalWorkload } from './canonicalWorkload.js';
import { producerPerformance } from './kafkaPeer.js';
import { type MllpSender, openMllpSender } from './mllpSender.js';

// Valid test NHS numbers: the events spread over a few keys, as several patients' would.
const NHS_NUMBERS = ['9991000216', '9992000368', '9993000477', '9994000535', '9995000040'] as const;
const OFFERED_RATE = 500;
const OFFERED_SECONDS = 10;
const P99_TARGET_MS = 50;
const PUBLISH_EVENTS = 100_000;
const PUBLISH_WRITERS = [32, 256] as const;

type Load = { readonly messages: number; readonly seconds: number; readonly latenciesMs: readonly number[] };

function replaceOnce(text: string, find: string, replacement: string): string {
  const at = text.indexOf(find);
  if (at < 0 || text.indexOf(find, at + 1) >= 0)
    throw new Error(`the sample should hold "${find}" exactly once; update ingest.bench.ts with the sample`);
  return text.slice(0, at) + replacement + text.slice(at + find.length);
}

/** Distinct ORM^O01 new orders: MSH-10 and ORC-2 unique per message, the NHS number rotating. */
function ordersFrom(sample: string): (n: number) => Uint8Array {
  const encoder = new TextEncoder();
  const template = [
    ['|EPR000801|', '|{controlId}|'],
    ['ORD5001^EPR', '{orderId}^EPR'],
    ['9991000216^^^NHS^NH', '{nhsNumber}^^^NHS^NH'],
  ].reduce((text, [find, placeholder]) => replaceOnce(text, find as string, placeholder as string), sample);
  return (n) =>
    encoder.encode(
      template
        .replace('{controlId}', `BENCH${n}`)
        .replace('{orderId}', `BORD${n}`)
        .replace('{nhsNumber}', NHS_NUMBERS[n % NHS_NUMBERS.length] as string),
    );
}

/** Distinct Condition resources: a unique id per request, the NHS number rotating. */
function conditionsFrom(sample: string): (n: number) => string {
  const resource = JSON.parse(sample) as { id: string; subject: { identifier: { value: string } } };
  return (n) =>
    JSON.stringify({
      ...resource,
      id: `bench-cond-${n}`,
      subject: { identifier: { ...resource.subject.identifier, value: NHS_NUMBERS[n % NHS_NUMBERS.length] } },
    });
}

function requireAccepted(ack: string): void {
  const msa = ack.split('\r').find((s) => s.startsWith('MSA|'));
  if (msa?.split('|')[1] === 'AA') return;
  const err = ack.split('\r').find((s) => s.startsWith('ERR|'));
  throw new Error(`expected AA for every benchmark message; got ${msa ?? 'no MSA'} ${err ?? ''}`.trim());
}

/** Each connection sends its next message when the previous ACK arrives (original-mode senders). */
async function closedLoop(port: number, connections: number, messages: number, next: () => Uint8Array): Promise<Load> {
  const senders = await Promise.all(Array.from({ length: connections }, () => openMllpSender(port)));
  const latenciesMs: number[] = [];
  let remaining = messages;
  const started = performance.now();
  try {
    await Promise.all(
      senders.map(async (sender) => {
        while (remaining > 0) {
          remaining -= 1;
          const message = next();
          const sentAt = performance.now();
          requireAccepted(await sender.send(message));
          latenciesMs.push(performance.now() - sentAt);
        }
      }),
    );
  } finally {
    for (const sender of senders) sender.close();
  }
  return { messages, seconds: (performance.now() - started) / 1000, latenciesMs };
}

/**
 * Open loop: messages are due at a fixed rate, round-robin over the connections, whether or
 * not earlier ACKs have come back. Latency runs from when a message was due, so a backlog
 * shows in the figures instead of slowing the sender down (no coordinated omission).
 */
async function openLoop(
  port: number,
  connections: number,
  ratePerSecond: number,
  messages: number,
  next: () => Uint8Array,
): Promise<Load> {
  const senders: readonly MllpSender[] = await Promise.all(
    Array.from({ length: connections }, () => openMllpSender(port)),
  );
  const latenciesMs: number[] = [];
  const answered: Promise<void>[] = [];
  const intervalMs = 1000 / ratePerSecond;
  const started = performance.now();
  let lastAckAt = started;
  try {
    for (let i = 0; i < messages; i += 1) {
      const dueAt = started + i * intervalMs;
      const wait = dueAt - performance.now();
      if (wait >= 1) await delay(wait);
      const sender = senders[i % senders.length] as MllpSender;
      answered.push(
        sender.send(next()).then((ack) => {
          requireAccepted(ack);
          lastAckAt = performance.now();
          latenciesMs.push(lastAckAt - dueAt);
        }),
      );
    }
    await Promise.all(answered);
  } finally {
    for (const sender of senders) sender.close();
  }
  return { messages, seconds: (lastAckAt - started) / 1000, latenciesMs };
}

/** `clients` loops, each POSTing its next request when the previous answer arrives (keep-alive), with `token`. */
async function fhirLoad(
  url: string,
  token: string,
  clients: number,
  requests: number,
  next: () => string,
): Promise<Load> {
  const latenciesMs: number[] = [];
  let remaining = requests;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (remaining > 0) {
        remaining -= 1;
        const body = next();
        const sentAt = performance.now();
        // Node's fetch keeps connections alive in its global pool, so each client reuses one.
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
          body,
        });
        const answer = await response.text();
        if (response.status !== 201)
          throw new Error(
            `expected 201 for every benchmark Condition; got ${response.status}: ${answer.slice(0, 300)}`,
          );
        latenciesMs.push(performance.now() - sentAt);
      }
    }),
  );
  return { messages: requests, seconds: (performance.now() - started) / 1000, latenciesMs };
}

/**
 * Count and mean size of a topic's records, counting key + value + headers: ProducerPerformance
 * sends values of that size with no key or headers, so both write the same bytes per record.
 */
async function recordSizes(
  kafka: Kafka,
  topic: string,
): Promise<{ readonly records: number; readonly meanBytes: number }> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((n, p) => n + Number(p.high), 0);
  if (expected === 0) throw new Error(`${topic} is empty; the ingest runs published nothing`);
  const consumer = kafka.consumer({ groupId: `bench-sizes-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let records = 0;
  let bytes = 0;
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error(`read ${records} of the ${expected} records on ${topic} within 60 s`)),
      60_000,
    );
  });
  const readAll = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records += 1;
          bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
          for (const [name, value] of Object.entries(m.headers ?? {}))
            bytes +=
              Buffer.byteLength(name) + (Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value)));
        }
        if (records >= expected) resolve();
      },
    });
  });
  try {
    await Promise.race([readAll, timedOut]);
  } finally {
    clearTimeout(deadline);
    await consumer.disconnect();
  }
  return { records, meanBytes: bytes / records };
}

/**
 * The publish path alone: the adapters' Publisher (Avro encode, headers, group commit, acks=all,
 * idempotent) with `writers` concurrent callers, each publishing one event and awaiting its ack
 * before the next, as concurrent ingest messages do. Events of the views' workload, on a
 * canonical topic of its own.
 */
async function publishPath(
  context: BenchContext,
  kafka: Kafka,
  namespace: string,
  partitions: number,
  writers: number,
  events: readonly ClinicalEvent[],
): Promise<Load> {
  const topics = topicNames(namespace);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: topics.canonical, numPartitions: partitions, replicationFactor: 1 }],
  });
  await admin.disconnect();
  const publisher = await benchPublisher(context, kafka, topics);
  const latenciesMs: number[] = [];
  try {
    await publisher.publishEvents(events.slice(0, 100)); // connects the producer
    let next = 100;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let event = events[next++]; event !== undefined; event = events[next++]) {
          const sentAt = performance.now();
          await publisher.publishEvents([event]);
          latenciesMs.push(performance.now() - sentAt);
        }
      }),
    );
    return { messages: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
  } finally {
    await publisher.close();
  }
}

function serviceConfig(context: BenchContext, databaseUrl: URL, namespace: string): Config {
  return loadConfig({
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl.toString(),
    KAFKA_BROKERS: context.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: context.registryUrl,
    TOPIC_NAMESPACE: namespace,
    PORT: '0',
    MLLP_PORT: '0',
    // The benchmark's one client must not be throttled: the per-client limit is not what is measured.
    HTTP_RATE_LIMIT: '1000000',
    KAFKA_VERSION: context.kafkaVersion,
  });
}

export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  async run(context): Promise<readonly BenchRow[]> {
    const count = (n: number) => Math.max(1, Math.round(n * context.scale));
    const suffix = randomBytes(4).toString('hex');
    const namespace = `bench-ingest-${suffix}`;
    const databaseUrl = new URL(context.databaseUrl.toString());
    databaseUrl.pathname = `/cel_bench_ingest_${process.pid}_${suffix}`;
    const config = serviceConfig(context, databaseUrl, namespace);
    await ensureDatabase(databaseUrl);
    const kafka = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench-ingest' });
    const peerTopics = [`bench-ingest-peer-${suffix}`, `bench-ingest-peer-tuned-${suffix}`];
    const publishTopics: string[] = [];
    let service: RunningService | undefined;
    try {
      context.progress('starting the service (topics, schemas, migrations)…');
      // A dedicated ingest instance: view consumers would compete for the same cores and
      // PostgreSQL, and the views benchmark measures them on their own.
      service = await runService(config, { logger: benchLogger(), views: false });
      const orderOf = ordersFrom(Buffer.from(sampleBytes('hl7v2/orm_o01_new_order.hl7')).toString('utf8'));
      let sent = 0;
      const nextOrder = () => orderOf(sent++);
      const mllpPort = service.mllpPort;

      context.progress('warm-up: 300 messages over 8 connections…');
      await closedLoop(mllpPort, 8, 300, nextOrder);

      const closed: { connections: number; load: Load }[] = [];
      for (const [connections, messages] of [
        [1, count(1500)],
        [8, count(4000)],
        [32, count(8000)],
      ] as const) {
        context.progress(`MLLP: ${messages} messages over ${connections} connection(s), closed loop…`);
        closed.push({ connections, load: await closedLoop(mllpPort, connections, messages, nextOrder) });
      }

      const offeredMessages = count(OFFERED_RATE * OFFERED_SECONDS);
      context.progress(`MLLP: ${offeredMessages} messages offered at ${OFFERED_RATE} msg/s over 8 connections…`);
      const offered = await openLoop(mllpPort, 8, OFFERED_RATE, offeredMessages, nextOrder);

      const canonical = topicNames(namespace).canonical;
      context.progress(`reading ${canonical} to check every acknowledged order is there…`);
      const sizes = await recordSizes(kafka, canonical);
      if (sizes.records !== sent)
        throw new Error(`${sent} orders were acknowledged but ${canonical} holds ${sizes.records} events`);

      const fhirRequests = count(4000);
      context.progress(`FHIR: ${fhirRequests} Condition POSTs from 8 clients…`);
      const conditionOf = conditionsFrom(Buffer.from(sampleBytes('fhir/condition_confirmed.json')).toString('utf8'));
      let posted = 0;
      const token = await benchToken(config, 'integration');
      const fhir = await fhirLoad(`${service.httpUrl}/fhir/Condition`, token, 8, fhirRequests, () =>
        conditionOf(posted++),
      );

      await service.close();
      service = undefined;

      const publishEvents = count(PUBLISH_EVENTS);
      const workload = [...canonicalWorkload(publishEvents + 100, 5000)];
      const published: { writers: number; load: Load }[] = [];
      for (const writers of PUBLISH_WRITERS) {
        const publishNamespace = `${namespace}-publish-${writers}`;
        publishTopics.push(topicNames(publishNamespace).canonical);
        context.progress(`publish path: ${publishEvents} events from ${writers} concurrent writer(s)…`);
        const load = await publishPath(context, kafka, publishNamespace, config.topicPartitions, writers, workload);
        published.push({ writers, load });
      }
      const publishedSizes = await recordSizes(
        kafka,
        topicNames(`${namespace}-publish-${PUBLISH_WRITERS[0]}`).canonical,
      );
      const recordSize = Math.round(publishedSizes.meanBytes);

      const peerRecords = count(200_000);
      context.progress(
        `ProducerPerformance: ${peerRecords} × ${recordSize} B (defaults, then batch.size=262144 linger.ms=5)…`,
      );
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: true,
        topics: peerTopics.map((topic) => ({ topic, numPartitions: config.topicPartitions, replicationFactor: 1 })),
      });
      await admin.disconnect();
      const peerDefault = await producerPerformance({
        jarsDir: context.kafkaJarsDir,
        brokers: context.kafkaBrokers,
        topic: peerTopics[0] as string,
        records: peerRecords,
        recordSize,
      });
      const peerTuned = await producerPerformance({
        jarsDir: context.kafkaJarsDir,
        brokers: context.kafkaBrokers,
        topic: peerTopics[1] as string,
        records: peerRecords,
        recordSize,
        extraProps: ['batch.size=262144', 'linger.ms=5'],
      });
      // The peer is kafka-producer-perf-test as it comes (acks=all, idempotence on); the
      // tuned run (batch.size=256 KiB, linger.ms=5, 5 requests in flight) shows the broker's headroom.
      const peerSize = `${recordSize} B records (our mean key + value + headers)`;
      // Per message the service reads the identities and published keys in one statement (while
      // the raw receipt is in flight) and records the published keys and learned identities in another.
      const perMessage = 'msgs/s; per msg 1 raw receipt + 1 event to Kafka, 2 PostgreSQL statements';

      return [
        ...published.flatMap(({ writers, load }): BenchRow[] => [
          {
            metric: `publish path: Publisher.publishEvents, ${writers} concurrent writers, 1 event each, acks=all (events/s)`,
            unit: 'events/s',
            ours: load.messages / load.seconds,
            peer: peerDefault.recordsPerSec,
            peerName: `ProducerPerformance, defaults, ${peerSize}; target ≥ 30 %`,
            higherIsBetter: true,
          },
          {
            metric: `publish path, ${writers} writers, against the tuned producer (events/s)`,
            unit: 'events/s',
            ours: load.messages / load.seconds,
            peer: peerTuned.recordsPerSec,
            peerName: `ProducerPerformance, batch.size=262144 linger.ms=5, ${peerSize}`,
            higherIsBetter: true,
          },
          {
            metric: `publish path, ${writers} writers: ack latency p99 (ms)`,
            unit: 'ms',
            ours: percentile(load.latenciesMs, 99),
            peer: undefined,
            peerName: '–',
            higherIsBetter: false,
          },
        ]),
        ...closed.flatMap(({ connections, load }): BenchRow[] => [
          {
            metric: `MLLP ORM^O01, ${connections} conn, closed loop (${perMessage})`,
            unit: 'msg/s',
            ours: load.messages / load.seconds,
            peer: undefined,
            peerName: '–',
            higherIsBetter: true,
          },
          {
            metric: `MLLP ${connections} conn, ACK latency p50 (ms)`,
            unit: 'ms',
            ours: percentile(load.latenciesMs, 50),
            peer: undefined,
            peerName: '–',
            higherIsBetter: false,
          },
          {
            metric: `MLLP ${connections} conn, ACK latency p99 (ms)`,
            unit: 'ms',
            ours: percentile(load.latenciesMs, 99),
            peer: undefined,
            peerName: '–',
            higherIsBetter: false,
          },
        ]),
        {
          metric: `MLLP ${OFFERED_RATE} msg/s offered over 8 conn, open loop: achieved (msgs/s)`,
          unit: 'msg/s',
          ours: offered.messages / offered.seconds,
          peer: undefined,
          peerName: '–',
          higherIsBetter: true,
        },
        {
          metric: `MLLP ${OFFERED_RATE} msg/s offered, ACK latency p50 from due time (ms)`,
          unit: 'ms',
          ours: percentile(offered.latenciesMs, 50),
          peer: undefined,
          peerName: '–',
          higherIsBetter: false,
        },
        {
          metric: `MLLP ${OFFERED_RATE} msg/s offered, ACK latency p99 from due time (ms)`,
          unit: 'ms',
          ours: percentile(offered.latenciesMs, 99),
          peer: undefined,
          peerName: `target < ${P99_TARGET_MS} ms (reported, not asserted)`,
          higherIsBetter: false,
        },
        {
          metric: 'FHIR POST /fhir/Condition, 8 keep-alive clients, 201 + 1 DiagnosisRecorded each (req/s)',
          unit: 'req/s',
          ours: fhir.messages / fhir.seconds,
          peer: undefined,
          peerName: '–',
          higherIsBetter: true,
        },
        {
          metric: 'FHIR POST /fhir/Condition, latency p99 (ms)',
          unit: 'ms',
          ours: percentile(fhir.latenciesMs, 99),
          peer: undefined,
          peerName: '–',
          higherIsBetter: false,
        },
      ];
    } finally {
      try {
        await service?.close();
        const admin = kafka.admin();
        await admin.connect();
        const ours = (await admin.listTopics()).filter(
          (t) => t.startsWith(`${namespace}.`) || [...peerTopics, ...publishTopics].includes(t),
        );
        if (ours.length > 0) await admin.deleteTopics({ topics: ours });
        await admin.disconnect();
      } finally {
        await dropDatabase(databaseUrl);
      }
    }
  },
};
