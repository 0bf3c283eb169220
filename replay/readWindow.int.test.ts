/**
 * The window reader against a real broker and registry, on records whose timestamps and
 * partitions the test sets: out-of-order CreateTimes inside the planned offsets, a skipped
 * kind whose value is not even Avro, clinical time, an empty plan, a missing topic, and a
 * reader that stops early.
 */
import { ensureTopics } from '../platform/ensureTopics.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient, type Kafka } from '../platform/kafka.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { recordHeaders, topicNames, topicSpecs } from '../schemas/topics.js';
import { aDiagnosis, aDischarge, aMedicationOrder } from '../test/support/eventBuilders.js';
import { describe, expect } from '../test/support/fixtures.js';
import { kafkaConnectionFor } from '../test/support/testKafka.js';
import { uniqueName } from '../test/support/uniqueName.js';
import type { ExportRow } from './exportRow.js';
import { parseReplayWindow, type ReplayWindow } from './parseReplayWindow.js';
import {
  type LogSource,
  planWindow,
  readWindow,
  TopicNotFoundError,
  UndecodableWindowRecordError,
  type WindowProgress,
} from './readWindow.js';

// Record times in the recent past: the broker refuses CreateTimes far in the future.
const T = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
const at = (seconds: number) => new Date(T + seconds * 1000);

type Planted = {
  readonly partition: number;
  readonly seconds: number;
  readonly event?: ClinicalEvent;
  readonly garbage?: string;
};

/** Partition 0 has an out-of-order CreateTime at offset 2; partition 1 a MedicationOrdered that is not Avro at offset 1. */
const records: readonly Planted[] = [
  { partition: 0, seconds: 0, event: aDischarge({ visitId: 'V0', at: '2026-03-01T10:00:00Z' }) },
  { partition: 0, seconds: 10, event: aDiagnosis({ diagnosisId: 'D1', at: '2026-03-02T10:00:00Z' }) },
  { partition: 0, seconds: 1, event: aDiagnosis({ diagnosisId: 'D2', at: '2026-03-03T10:00:00Z' }) },
  { partition: 0, seconds: 20, event: aDischarge({ visitId: 'V3', at: '2026-03-04T10:00:00Z' }) },
  { partition: 0, seconds: 30, event: aDiagnosis({ diagnosisId: 'D4', at: '2026-03-05T10:00:00Z' }) },
  { partition: 1, seconds: 5, event: aDischarge({ visitId: 'V10', at: '2026-03-02T12:00:00Z' }) },
  { partition: 1, seconds: 12, garbage: 'MedicationOrdered' },
  { partition: 1, seconds: 15, event: aMedicationOrder({ orderId: 'O12', at: '2026-03-06T10:00:00Z' }) },
  { partition: 1, seconds: 40, event: aDiagnosis({ diagnosisId: 'D13', at: '2026-03-03T12:00:00Z' }) },
];

async function produceRecords(kafka: Kafka, source: LogSource, encode: (e: ClinicalEvent) => Buffer) {
  const producer = kafka.producer();
  await producer.connect();
  for (const r of records) {
    await producer.send({
      topic: source.topic,
      acks: -1,
      messages: [
        {
          partition: r.partition,
          key: 'k',
          timestamp: String(at(r.seconds).getTime()),
          value: r.event === undefined ? Buffer.from(`not Avro: ${r.garbage}`) : encode(r.event),
          headers: { [recordHeaders.eventType]: r.event?.type ?? r.garbage ?? '' },
        },
      ],
    });
  }
  await producer.disconnect();
}

async function setUp(registryUrl: string, kafkaBrokers: readonly string[]): Promise<LogSource> {
  const namespace = uniqueName('replay');
  const topics = topicNames(namespace);
  const kafka = createKafkaClient({ ...(await kafkaConnectionFor(kafkaBrokers)).connection, clientId: 'replay-test' });
  await ensureTopics(kafka, topicSpecs({ namespace, partitions: 2, brokerCount: 1 }));
  const registry = createRegistry(new URL(registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topics));
  const writer = createEventCodec(registry, byEventType);
  const source = { kafka, topic: topics.canonical, codec: createEventCodec(registry, new Map()) };
  await produceRecords(kafka, source, (e) => writer.encode(e));
  return source;
}

function windowOf(text: { from: string; to: string; kinds?: string; time?: string }): ReplayWindow {
  const window = parseReplayWindow(text);
  if (!window.ok) throw new Error(JSON.stringify(window.error));
  return window.value;
}

async function readAll(source: LogSource, window: ReplayWindow, onProgress?: (p: WindowProgress) => void) {
  const rows: ExportRow[] = [];
  for await (const row of readWindow(source, window, await planWindow(source, window), onProgress)) rows.push(row);
  return rows;
}

const placesOf = (rows: readonly ExportRow[]) => rows.map((r) => `${r.partition}@${r.offset}`);

describe('readWindow', () => {
  test('record time, kinds, clinical time, progress and an early stop', async ({ registryUrl, kafkaBrokers }) => {
    const source = await setUp(registryUrl, kafkaBrokers);
    const iso = (seconds: number) => at(seconds).toISOString();
    const notMedication = 'PatientDischarged,DiagnosisRecorded';

    // [T+5, T+25): partition 0 plans offsets [1, 4), and offset 2 (written at T+1) is left out by its timestamp.
    const recordWindow = windowOf({ from: iso(5), to: iso(25), kinds: notMedication });
    const plan = await planWindow(source, recordWindow);
    expect(plan.ranges).toEqual([
      { partition: 0, start: 1n, end: 4n },
      { partition: 1, start: 0n, end: 3n },
    ]);
    const progress: WindowProgress[] = [];
    const rows = await readAll(source, recordWindow, (p) => progress.push(p));
    expect(placesOf(rows)).toEqual(['0@1', '0@3', '1@0']);
    expect(rows.map((r) => r.recordTime.getTime())).toEqual([at(10), at(20), at(5)].map((d) => d.getTime()));
    expect(rows[0]?.event).toEqual(records[1]?.event);
    expect(progress.at(-1)).toEqual({ offsetsRead: 6n, offsetsPlanned: 6n, events: 3 });

    // The same window with every kind reaches the record that is not Avro: the export stops and says where.
    const everyKind = windowOf({ from: iso(5), to: iso(25) });
    const failure = await readAll(source, everyKind).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UndecodableWindowRecordError);
    expect(failure).toMatchObject({ code: 'CEL_ERR_REPLAY_UNDECODABLE', partition: 1, offset: '1' });

    // Clinical time: occurredAt in [03-02, 03-04), whenever recorded.
    const clinical = await readAll(
      source,
      windowOf({ from: '2026-03-02', to: '2026-03-04', kinds: notMedication, time: 'clinical' }),
    );
    expect(placesOf(clinical)).toEqual(['0@1', '0@2', '1@0', '1@3']);

    // Past the last record: an empty plan, nothing read.
    const later = windowOf({ from: iso(50), to: iso(60) });
    expect((await planWindow(source, later)).offsets).toBe(0n);
    expect(await readAll(source, later)).toEqual([]);

    // A reader that stops after one row ends the read (the consumer leaves; this would hang otherwise).
    for await (const row of readWindow(source, recordWindow, plan)) {
      expect(placesOf([row])).toEqual(['0@1']);
      break;
    }
  });

  test('a topic that does not exist is named', async ({ registryUrl, kafkaBrokers }) => {
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: 'replay-test',
    });
    const source = {
      kafka,
      topic: `${uniqueName('nowhere')}.clinical-events`,
      codec: createEventCodec(createRegistry(new URL(registryUrl)), new Map()),
    };
    await expect(planWindow(source, windowOf({ from: '2026-03-01', to: '2026-03-02' }))).rejects.toBeInstanceOf(
      TopicNotFoundError,
    );
  });
});
