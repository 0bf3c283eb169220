/**
 * A canonical log and the views over it, for tests that run the views worker and the replay
 * tools as child processes (as an operator would): a topic namespace with its own topics and
 * schemas, producing events (duplicates included), starting `bin/views.ts`,
 * waiting until stored offsets reach the end offsets, and comparing the views with a
 * reference fold. Test support; I/O.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'vitest';
import { createAcknowledgedProducer } from '../../platform/acknowledgedProducer.js';
import { ensureTopics } from '../../platform/ensureTopics.js';
import { createEventCodec, type EventCodec } from '../../platform/eventCodec.js';
import { createKafkaClient, type Kafka } from '../../platform/kafka.js';
import { createPool, type Pool } from '../../platform/postgres.js';
import { projectSchemaRegistrations, registerSchemas } from '../../platform/registerSchemas.js';
import { runMigrations } from '../../platform/runMigrations.js';
import { createRegistry } from '../../platform/schemaRegistry.js';
import { canonicalRecord } from '../../producers/publish/kafkaPublisher.js';
import type { GpState } from '../../projections/gp-view/evolve.js';
import { gpRows } from '../../projections/gp-view/rows.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames, topicSpecs } from '../../schemas/topics.js';
import { grantServiceNamespace, kafkaConnectionFor } from './testKafka.js';
import { uniqueName } from './uniqueName.js';
import { referenceRows } from './viewWorkload.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
export const VIEWS = ['gp-view', 'pharmacy-view', 'care-plan-view'] as const;

export type ViewLog = {
  readonly namespace: string;
  readonly topic: string;
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  readonly pool: Pool;
  /** The environment a child process needs to reach the same stack and topics (as the `service` principal). */
  readonly env: Readonly<Record<string, string>>;
};

export async function openViewLog(resources: {
  readonly databaseUrl: URL;
  readonly registryUrl: string;
  readonly kafkaBrokers: readonly string[];
  /** Brokers in the cluster (default 1): with 3, the topics get 3 replicas and min.insync.replicas 2. */
  readonly brokerCount?: number;
}): Promise<ViewLog> {
  const namespace = uniqueName('vl');
  await runMigrations(resources.databaseUrl);
  const { connection } = await kafkaConnectionFor(resources.kafkaBrokers);
  // The views run as the service principal, with the ACLs the secured stack grants it.
  const asService = await kafkaConnectionFor(resources.kafkaBrokers, 'service');
  if (asService.connection.security !== undefined) await grantServiceNamespace(namespace);
  const kafka = createKafkaClient({ ...connection, clientId: 'view-log-test' });
  await ensureTopics(kafka, topicSpecs({ namespace, partitions: 3, brokerCount: resources.brokerCount ?? 1 }));
  const registry = createRegistry(new URL(resources.registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topicNames(namespace)));
  return {
    namespace,
    topic: topicNames(namespace).canonical,
    kafka,
    codec: createEventCodec(registry, byEventType),
    pool: createPool(resources.databaseUrl, { max: 3 }),
    env: {
      ...asService.env,
      SCHEMA_REGISTRY_URL: resources.registryUrl,
      DATABASE_URL: resources.databaseUrl.toString(),
      TOPIC_NAMESPACE: namespace,
      TOPIC_PARTITIONS: '3',
      LOG_LEVEL: 'error',
    },
  };
}

/** The events as the adapters' publisher writes them: key, Avro value and headers. */
export const canonicalRecords = (log: ViewLog, events: readonly ClinicalEvent[]) =>
  events.map((e) => canonicalRecord(e, log.codec.encode(e)));

export async function produce(log: ViewLog, events: readonly ClinicalEvent[]): Promise<void> {
  const producer = createAcknowledgedProducer(log.kafka);
  await producer.connect();
  for (let i = 0; i < events.length; i += 200) {
    await producer.send(log.topic, canonicalRecords(log, events.slice(i, i + 200)));
  }
  await producer.disconnect();
}

export type ChildRun = {
  readonly child: ChildProcess;
  /** The signal that ended the process, or its exit code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
};

/** Runs a TypeScript entry point of the repository as a child process with the log's environment. */
export function spawnTool(
  log: ViewLog,
  entry: string,
  args: readonly string[] = [],
  extraEnv: Readonly<Record<string, string>> = {},
): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning', ...log.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Starts `npm run views` for the log's namespace and resolves once its consumers run. */
export async function startViewWorker(
  log: ViewLog,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<ChildRun> {
  const worker = spawnTool(log, 'bin/views.ts', [], extraEnv);
  await new Promise<void>((resolve, reject) => {
    worker.child.stdout?.on('data', () => {
      if (worker.stdout().includes('views running')) resolve();
    });
    // A worker set to die at a failpoint may reach it before it has started every view.
    if (extraEnv.CEL_FAILPOINT !== undefined) void worker.exited.then(() => resolve());
    void worker.exited.then((how) =>
      reject(new Error(`worker exited (${how}) before it was running:\n${worker.stderr().slice(-2000)}`)),
    );
  });
  return worker;
}

export async function stopChild(run: ChildRun): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  await run.exited;
}

export async function endOffsets(log: ViewLog): Promise<Map<number, bigint>> {
  const admin = log.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(log.topic);
  await admin.disconnect();
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** Whether every one of the views has applied the log up to its end offsets. */
export async function caughtUp(log: ViewLog, views: readonly string[] = VIEWS): Promise<boolean> {
  const ends = await endOffsets(log);
  const stored = await log.pool.query<{ view: string; partition: number; next_offset: string }>(
    'SELECT view, partition, next_offset FROM view_stored_offsets WHERE topic = $1::text',
    [log.topic],
  );
  return views.every((view) =>
    [...ends].every(([p, high]) =>
      stored.rows.some((r) => r.view === view && r.partition === p && BigInt(r.next_offset) === high),
    ),
  );
}

/** JSON with keys sorted: jsonb does not keep key order. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
/** Rows as a sorted list of JSON texts with sorted keys: compared as sets, whatever jsonb did to key order. */
export const canonical = (rows: readonly unknown[]) => rows.map(sortedJson).sort();

/** The live views' rows equal a reference fold of `events`, and each view has processed each distinct event once. */
/** The views (all by default) equal the reference fold of `events`, and each processed every distinct event once. */
export async function expectViewsToEqualReference(
  log: ViewLog,
  events: readonly ClinicalEvent[],
  views: readonly (typeof VIEWS)[number][] = VIEWS,
): Promise<void> {
  const reference = referenceRows(events);
  if (views.includes('gp-view')) {
    const gp = await log.pool.query<{ nhs_number: string; state: GpState }>(
      'SELECT nhs_number, state FROM gp_view_patients',
    );
    expect(gp.rows.length).toBe(reference.gp.size);
    for (const row of gp.rows)
      expect(gpRows(row.nhs_number, row.state), row.nhs_number).toEqual(reference.gp.get(row.nhs_number));
  }
  if (views.includes('pharmacy-view')) {
    const orders = await log.pool.query<{ row_data: unknown }>('SELECT row_data FROM pharmacy_view_orders');
    expect(canonical(orders.rows.map((r) => r.row_data))).toEqual(canonical(reference.pharmacyOrders));
  }
  if (views.includes('care-plan-view')) {
    const tasks = await log.pool.query<{ row_data: unknown }>('SELECT row_data FROM care_plan_view_tasks');
    expect(canonical(tasks.rows.map((r) => r.row_data))).toEqual(canonical(reference.carePlanTasks));
  }
  const processed = await log.pool.query<{ view: string; n: number }>(
    'SELECT view, count(*)::int AS n FROM view_processed_events WHERE view = ANY($1::text[]) GROUP BY view',
    [views],
  );
  const distinct = new Set(events.map((e) => e.eventId)).size;
  expect(Object.fromEntries(processed.rows.map((r) => [r.view, r.n]))).toEqual(
    Object.fromEntries(views.map((v) => [v, distinct])),
  );
}
