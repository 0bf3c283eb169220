/**
 * Exactly-once effect of the view consumers under the failures that break naive ones: every
 * event on the log three times, consumers killed (kill -9) mid-batch and between the
 * PostgreSQL COMMIT and the Kafka commit, a graceful restart mid-stream, two members of one
 * group rebalancing under load, and a member frozen (SIGSTOP) until its partitions have moved
 * and then resumed. Each time the views must equal a reference fold of the whole topic.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect } from 'vitest';
import { ensureTopics } from '../../platform/ensureTopics.js';
import { createEventCodec, type EventCodec } from '../../platform/eventCodec.js';
import { createKafkaClient, type Kafka } from '../../platform/kafka.js';
import { createPool, type Pool } from '../../platform/postgres.js';
import { projectSchemaRegistrations, registerSchemas } from '../../platform/registerSchemas.js';
import { runMigrations } from '../../platform/runMigrations.js';
import { createRegistry } from '../../platform/schemaRegistry.js';
import type { GpState } from '../../projections/gp-view/evolve.js';
import { gpRows } from '../../projections/gp-view/rows.js';
import { registryTest as test } from '../../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames, topicSpecs } from '../../schemas/topics.js';
import { uniqueName } from '../support/uniqueName.js';
import { referenceRows, workload } from '../support/viewWorkload.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const VIEWS = ['gp-view', 'pharmacy-view', 'care-plan-view'];

type Log = { namespace: string; kafka: Kafka; codec: EventCodec; pool: Pool; env: Record<string, string> };

async function openLog(resources: {
  databaseUrl: URL;
  registryUrl: string;
  kafkaBrokers: readonly string[];
}): Promise<Log> {
  const namespace = uniqueName('eo');
  await runMigrations(resources.databaseUrl);
  const kafka = createKafkaClient({ brokers: resources.kafkaBrokers, clientId: 'eo-test' });
  await ensureTopics(kafka, topicSpecs({ namespace, partitions: 3, brokerCount: 1 }));
  const registry = createRegistry(new URL(resources.registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topicNames(namespace)));
  return {
    namespace,
    kafka,
    codec: createEventCodec(registry, byEventType),
    pool: createPool(resources.databaseUrl, { max: 3 }),
    env: {
      KAFKA_BROKERS: resources.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: resources.registryUrl,
      DATABASE_URL: resources.databaseUrl.toString(),
      TOPIC_NAMESPACE: namespace,
      TOPIC_PARTITIONS: '3',
      LOG_LEVEL: 'error',
      CEL_MAX_BATCH_BYTES: '8192',
    },
  };
}

async function produce(log: Log, events: readonly ClinicalEvent[]): Promise<void> {
  const producer = log.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < events.length; i += 200) {
    await producer.send({
      topic: topicNames(log.namespace).canonical,
      acks: -1,
      messages: events
        .slice(i, i + 200)
        .map((e) => ({ key: e.patient.nhsNumber, value: log.codec.encode(e), headers: { 'event-id': e.eventId } })),
    });
  }
  await producer.disconnect();
}

type Worker = { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> };

async function startWorker(log: Log, extraEnv: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'consumers/viewWorker.ts'], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning', ...log.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('views running')) resolve();
    });
    // A worker set to die at a failpoint may reach it before it has started every view.
    if (extraEnv.CEL_FAILPOINT !== undefined) void exited.then(() => resolve());
    void exited.then((how) =>
      reject(new Error(`worker exited (${how}) before it was running:\n${output.slice(-2000)}`)),
    );
  });
  return { child, exited };
}

async function endOffsets(log: Log): Promise<Map<number, bigint>> {
  const admin = log.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topicNames(log.namespace).canonical);
  await admin.disconnect();
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

async function caughtUp(log: Log): Promise<boolean> {
  const ends = await endOffsets(log);
  const stored = await log.pool.query<{ view: string; partition: number; next_offset: string }>(
    'SELECT view, partition, next_offset FROM view_stored_offsets WHERE topic = $1::text',
    [topicNames(log.namespace).canonical],
  );
  return VIEWS.every((view) =>
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
const canonical = (rows: readonly unknown[]) => rows.map(sortedJson).sort();

async function expectViewsToEqualReference(log: Log, events: readonly ClinicalEvent[]): Promise<void> {
  const reference = referenceRows(events);
  const gp = await log.pool.query<{ nhs_number: string; state: GpState }>(
    'SELECT nhs_number, state FROM gp_view_patients',
  );
  expect(gp.rows.length).toBe(reference.gp.size);
  for (const row of gp.rows)
    expect(gpRows(row.nhs_number, row.state), row.nhs_number).toEqual(reference.gp.get(row.nhs_number));
  const orders = await log.pool.query<{ row_data: unknown }>('SELECT row_data FROM pharmacy_view_orders');
  expect(canonical(orders.rows.map((r) => r.row_data))).toEqual(canonical(reference.pharmacyOrders));
  const tasks = await log.pool.query<{ row_data: unknown }>('SELECT row_data FROM care_plan_view_tasks');
  expect(canonical(tasks.rows.map((r) => r.row_data))).toEqual(canonical(reference.carePlanTasks));
  const processed = await log.pool.query<{ view: string; n: number }>(
    'SELECT view, count(*)::int AS n FROM view_processed_events GROUP BY view',
  );
  const distinct = new Set(events.map((e) => e.eventId)).size;
  expect(Object.fromEntries(processed.rows.map((r) => [r.view, r.n]))).toEqual(
    Object.fromEntries(VIEWS.map((v) => [v, distinct])),
  );
}

describe('exactly-once views', () => {
  test('every event three times, kill -9 mid-batch and after COMMIT, restarts mid-stream: identical views', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(150);
    try {
      await produce(log, events);
      const midBatch = await startWorker(log, { CEL_FAILPOINT: 'mid-batch:3' });
      expect(await midBatch.exited).toBe('SIGKILL');
      await produce(log, events);
      const afterCommit = await startWorker(log, { CEL_FAILPOINT: 'after-commit:3' });
      expect(await afterCommit.exited).toBe('SIGKILL');
      const graceful = await startWorker(log);
      await produce(log, events); // the third copy arrives while it runs
      graceful.child.kill('SIGTERM');
      await graceful.exited;
      const last = await startWorker(log);
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      last.child.kill('SIGTERM');
      await last.exited;
      await expectViewsToEqualReference(log, events);
    } finally {
      await log.pool.end();
    }
  });

  test('two members rebalancing under load, one frozen (SIGSTOP) until its partitions move: identical views', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(180);
    const third = Math.ceil(events.length / 3);
    const workers: Worker[] = [];
    try {
      workers.push(await startWorker(log));
      await produce(log, events.slice(0, third));
      workers.push(await startWorker(log)); // joins: the group rebalances under load
      await produce(log, events.slice(third, 2 * third));
      const frozen = workers[0];
      frozen?.child.kill('SIGSTOP');
      await produce(log, events.slice(2 * third));
      await produce(log, events); // and everything again: duplicates
      // The frozen member misses its heartbeats; its partitions move to the other member.
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      frozen?.child.kill('SIGCONT'); // a zombie with a batch in hand: its offset compare-and-set fails
      await produce(log, events.slice(0, 50));
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      await expectViewsToEqualReference(log, events);
    } finally {
      for (const w of workers) {
        w.child.kill('SIGCONT');
        w.child.kill('SIGTERM');
        await w.exited;
      }
      await log.pool.end();
    }
  });
});
