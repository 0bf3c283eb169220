/**
 * Applying a canonical topic to a view in a benchmark: the exactly-once consumer the service
 * runs, an at-least-once loop over the same fold and state SQL, a timer that stops when every
 * partition is applied, and a fresh database per measurement. I/O.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { applyToView } from '../consumers/applyBatchExactlyOnce.js';
import { createViewConsumer } from '../consumers/runViewConsumer.js';
import { readStoredOffsets } from '../consumers/storedOffsets.js';
import type { EventCodec } from '../platform/eventCodec.js';
import type { Kafka } from '../platform/kafka.js';
import {
  createPool,
  dropDatabase,
  ensureDatabase,
  isPgError,
  type Pool,
  withTransaction,
} from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import type { LiveView, LogIndex } from '../projections/liveView.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { type BenchContext, benchLogger } from './benchmark.js';
import { copyText } from './copyPeer.js';

/** How a consumer fetches: bytes per partition and in all, and partitions applied at once. */
export type FetchSettings = {
  readonly maxBytesPerPartition: number;
  readonly maxBytes?: number;
  readonly partitionsConsumedConcurrently: number;
};

/** Catch-up fetches: larger batches touch each patient's state once for more events; 3 transactions at once. */
export const catchUpFetch: FetchSettings = {
  maxBytesPerPartition: 16 * 1024 * 1024,
  maxBytes: 48 * 1024 * 1024,
  partitionsConsumedConcurrently: 3,
};

/** The service's live consumer as `npm start` runs it (runViewConsumer's defaults). */
export const serviceFetch: FetchSettings = { maxBytesPerPartition: 4 * 1024 * 1024, partitionsConsumedConcurrently: 1 };

export const describeFetch = (f: FetchSettings): string =>
  `fetch ${f.maxBytesPerPartition / 2 ** 20} MiB/partition, ${f.partitionsConsumedConcurrently} partition(s) at once`;
const APPLY_DEADLINE_MS = 20 * 60_000;

/** What an apply run needs: the topic, its end offsets, and where to write. */
export type ApplyDeps = {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly codec: EventCodec;
  readonly topic: string;
  readonly ends: ReadonlyMap<number, bigint>;
};

export type ApplyRun = {
  /** Events over the time from the group join to the last batch's commit. */
  readonly eventsPerSecond: number;
  /** From connecting, including the group join. */
  readonly wallSeconds: number;
  readonly events: number;
};

/**
 * Tracks batches until every partition's next offset reaches its end offset. The rate is
 * timed from the group join (`joined()`), as the kafka-client benchmark leaves the join out.
 */
function applyTimer(ends: ReadonlyMap<number, bigint>, progress: (m: string) => void) {
  const startedAt = performance.now();
  const reached = new Map<number, bigint>();
  const total = [...ends.values()].reduce((n, end) => n + Number(end), 0);
  let joinedAt = startedAt;
  let applied = 0;
  let reportedAt = startedAt;
  let finish: (run: ApplyRun) => void = () => undefined;
  const done = new Promise<ApplyRun>((resolve, reject) => {
    finish = resolve;
    setTimeout(
      () => reject(new Error(`apply: ${applied} of ${total} events applied after ${APPLY_DEADLINE_MS} ms`)),
      APPLY_DEADLINE_MS,
    ).unref();
  });
  return {
    done,
    joined() {
      joinedAt = performance.now();
    },
    batch(partition: number, to: bigint, count: number) {
      const now = performance.now();
      applied += count;
      reached.set(partition, to);
      if (now - reportedAt > 10_000) {
        reportedAt = now;
        progress(`  ${applied} / ${total} applied (${Math.round((now - startedAt) / 1000)} s)`);
      }
      if ([...ends].every(([p, end]) => (reached.get(p) ?? 0n) >= end)) {
        finish({
          eventsPerSecond: applied / ((now - joinedAt) / 1000),
          wallSeconds: (now - startedAt) / 1000,
          events: applied,
        });
      }
    },
  };
}

/** A database of its own for one measurement, migrated, dropped afterwards. */
export async function withFreshDatabase<T>(
  context: BenchContext,
  name: string,
  work: (pool: Pool, databaseUrl: URL) => Promise<T>,
): Promise<T> {
  const databaseUrl = new URL(context.databaseUrl.toString());
  databaseUrl.pathname = `/cel_bench_${process.pid}_${name}`;
  await ensureDatabase(databaseUrl);
  await runMigrations(databaseUrl);
  const pool = createPool(databaseUrl, {
    max: catchUpFetch.partitionsConsumedConcurrently + 2,
    applicationName: 'cel-bench',
  });
  try {
    // Each measurement starts right after a checkpoint, so none pays for the WAL of the one before.
    await pool.query('CHECKPOINT').catch((error: unknown) => {
      // Without the privilege (42501) the runs share the server's own checkpoint schedule instead.
      if (!isPgError(error) || error.code !== '42501') throw error;
    });
    return await work(pool, databaseUrl);
  } finally {
    await pool.end();
    await dropDatabase(databaseUrl);
  }
}

/** The exactly-once consumer the service runs (consumers/runViewConsumer.ts), on its own group. */
export async function applyExactlyOnce<State>(
  deps: ApplyDeps,
  view: LiveView<State> | LogIndex,
  progress: (m: string) => void,
  fetch: FetchSettings = catchUpFetch,
): Promise<ApplyRun> {
  const timer = applyTimer(deps.ends, progress);
  const consumer = createViewConsumer<State>({
    kafka: deps.kafka,
    pool: deps.pool,
    view,
    topic: deps.topic,
    codec: deps.codec,
    groupId: `bench-${view.name}-eo-${randomBytes(4).toString('hex')}`,
    logger: benchLogger(),
    ...fetch,
  });
  consumer.events.on('batch.applied', (r: { partition: number; to: bigint; applied: number }) =>
    timer.batch(r.partition, r.to, r.applied),
  );
  await consumer.start(); // resolves once the group is joined and fetching starts
  timer.joined();
  try {
    return await timer.done;
  } finally {
    await consumer.stop();
  }
}

const UPSERT_OFFSET = `INSERT INTO view_stored_offsets (view, topic, partition, next_offset)
  VALUES ($1::text, $2::text, $3::int, $4::bigint)
  ON CONFLICT (view, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`;

/** The row versions an apply wrote to a view's state table, as COPY text in a file. */
export type CapturedRows = { readonly file: string; readonly rows: number; readonly bytes: number };

/**
 * The at-least-once loop again (not timed: the capture slows it), with every state row it
 * writes also appended to `file` as COPY text: the rows the apply writes, for a COPY peer
 * that loads the same rows.
 */
export async function captureWrittenRows<State>(
  deps: ApplyDeps,
  view: LiveView<State>,
  file: string,
  progress: (m: string) => void,
): Promise<CapturedRows> {
  const out = createWriteStream(file);
  let rows = 0;
  let bytes = 0;
  const capturing: LiveView<State> = {
    ...view,
    store: {
      load: (tx, nhsNumbers) => view.store.load(tx, nhsNumbers),
      async save(tx, changed) {
        await view.store.save(tx, changed);
        for (const [nhsNumber, { state }] of changed) {
          const line = `${nhsNumber}\t${copyText(JSON.stringify(state))}\n`;
          rows += 1;
          bytes += Buffer.byteLength(line);
          if (!out.write(line)) await once(out, 'drain');
        }
      },
    },
  };
  try {
    await applyAtLeastOnce(deps, capturing, progress);
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return { file, rows, bytes };
}

/**
 * At-least-once: the same consumer settings, decode, fold and state SQL (`applyToView`), one
 * transaction per batch with a plain upsert of the offset — no processed-events insert, no
 * read of the stored offset, no compare-and-set.
 */
export async function applyAtLeastOnce<State>(
  deps: ApplyDeps,
  view: LiveView<State>,
  progress: (m: string) => void,
): Promise<ApplyRun> {
  const timer = applyTimer(deps.ends, progress);
  const consumer = deps.kafka.consumer({
    groupId: `bench-${view.name}-alo-${randomBytes(4).toString('hex')}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 20_000,
    maxBytesPerPartition: catchUpFetch.maxBytesPerPartition,
    ...(catchUpFetch.maxBytes === undefined ? {} : { maxBytes: catchUpFetch.maxBytes }),
  });
  await consumer.connect();
  await consumer.subscribe({ topic: deps.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: catchUpFetch.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const events: { offset: bigint; event: ClinicalEvent }[] = [];
      for (const m of batch.messages) {
        if (m.value !== null) events.push({ offset: BigInt(m.offset), event: await deps.codec.decode(m.value) });
      }
      const last = batch.messages.at(-1)?.offset ?? '0';
      const next = BigInt(last) + 1n;
      await withTransaction(deps.pool, async (tx) => {
        await applyToView(tx, view, batch.partition, events);
        await tx.query(UPSERT_OFFSET, [view.name, deps.topic, batch.partition, String(next)]);
      });
      resolveOffset(last);
      await heartbeat();
      timer.batch(batch.partition, next, events.length);
    },
  });
  timer.joined();
  try {
    return await timer.done;
  } finally {
    await consumer.disconnect();
  }
}

export async function requireCaughtUp(pool: Pool, view: string, topic: string, ends: ReadonlyMap<number, bigint>) {
  const stored = await readStoredOffsets(pool, view, topic);
  for (const [partition, end] of ends) {
    if (stored.get(partition) !== end)
      throw new Error(`${view}: ${topic}[${partition}] stored ${stored.get(partition)}, end offset ${end}`);
  }
}
