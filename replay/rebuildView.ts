/**
 * Rebuilds a view: folds the whole log, from offset 0, into a new version's shadow tables
 * while the live version keeps serving and its consumer keeps running, then swaps the new
 * version in atomically. The rebuild is one more consumer of the log — the live fold and
 * store (pointed at the shadow tables), applied exactly once by applyBatchExactlyOnce, with
 * its progress stored under `<view>@v<N>` — so an interrupted rebuild (Ctrl-C, kill -9)
 * leaves the live view untouched and the next run resumes from its stored offsets. I/O.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ViewConsumer } from '../consumers/runViewConsumer.js';
import { readStoredOffsets, releaseStoredOffsets } from '../consumers/storedOffsets.js';
import type { EventCodec } from '../platform/eventCodec.js';
import type { Admin, Kafka } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import { isTransientPgError, type Pool } from '../platform/postgres.js';
import { type RetryOptions, withRetry } from '../platform/retry.js';
import { type DroppedVersion, dropRetiredVersions } from './dropRetiredVersions.js';
import { holdAtLogEnd } from './holdAtLogEnd.js';
import type { RebuildableView } from './rebuildableViews.js';
import {
  describeOffsets,
  describeProgress,
  isCaughtUp,
  type Offsets,
  type ProgressCounts,
  type ProgressSample,
  positionOf,
  sameOffsets,
} from './rebuildProgress.js';
import {
  type ComparedVersions,
  compareVersions,
  type SwapOutcome,
  type SwapPlan,
  swapViewVersion,
} from './swapViewVersion.js';
import { progressNameOf } from './versionNames.js';
import { startViewVersion } from './viewVersions.js';

export type RebuildDeps = {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly codec: EventCodec;
  /** The canonical topic. */
  readonly topic: string;
  /** The rebuild's consumer group is `<groupPrefix>.<view>@v<N>` (the live one's is `<groupPrefix>.<view>`). */
  readonly groupPrefix: string;
  readonly logger: Logger;
  /** Receives the progress lines. */
  readonly progress: (line: string) => void;
  /** Aborting stops the rebuild after the batch in hand; the live view is untouched and a new run resumes. */
  readonly signal?: AbortSignal;
  /** Upper bound of one fetch per partition: a rebuild reads large batches (default 32 MiB). */
  readonly maxBytesPerPartition?: number;
  /** Upper bound of one fetch over all partitions (default 64 MiB). */
  readonly maxBytes?: number;
  /** Batches of different partitions applied at once, each in its own transaction (default 2). */
  readonly partitionsConsumedConcurrently?: number;
  /** How long to wait for the live consumer to reach the rebuilt offsets before swapping anyway. */
  readonly alignTimeoutMs?: number;
  /** Test failpoint, as in the live consumer. */
  readonly failpoints?: { readonly midBatch?: () => Promise<void> };
  readonly now?: () => number;
};

export type RebuildOutcome =
  | {
      readonly kind: 'swapped';
      readonly version: number;
      /** Where this run started (above 0 when it resumed an interrupted rebuild). */
      readonly startedAt: Offsets;
      readonly swap: Extract<SwapOutcome, { kind: 'swapped' }>;
      /** The rate of this run's catch-up, in log records per second. */
      readonly eventsPerSecond: number;
      readonly dropped: readonly DroppedVersion[];
    }
  | { readonly kind: 'interrupted'; readonly version: number; readonly storedOffsets: Offsets };

export class RebuildRunningError extends Error {
  readonly code = 'CEL_ERR_REBUILD_RUNNING';
  readonly retriable = true;
  constructor(readonly view: string) {
    super(`another rebuild of ${view} is running; wait for it, or stop it (it resumes from where it stopped)`);
    this.name = 'RebuildRunningError';
  }
}

/**
 * A rebuild catches up rather than keeping up: large batches fold more of each patient's
 * events per state write, and two partitions' batches in flight let node fold one while
 * PostgreSQL writes the other. The live consumer keeps small batches, for latency.
 */
const DEFAULT_MAX_BYTES_PER_PARTITION = 32 * 1024 * 1024;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_PARTITIONS_AT_ONCE = 2;
const TICK_MS = 250;
const PROGRESS_EVERY_MS = 1000;
const RATE_WINDOW_MS = 5000;
/** Rounds of catching up before swapping without equal offsets (a round ends early only if a hold expires). */
const MAX_ROUNDS = 5;

/** Waits `ms`, or less if the signal aborts; never throws. */
const pause = (ms: number, signal: AbortSignal | undefined) =>
  delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);

async function endOffsetsOf(
  admin: Admin,
  topic: string,
): Promise<{ readonly ends: Offsets; readonly starts: Offsets }> {
  const partitions = await admin.fetchTopicOffsets(topic);
  return {
    ends: new Map(partitions.map((p) => [p.partition, BigInt(p.high)])),
    starts: new Map(partitions.map((p) => [p.partition, BigInt(p.low)])),
  };
}

/** Holds a session advisory lock for the view while `work` runs: one rebuild of a view at a time. */
async function whileHoldingRebuildLock<T>(pool: Pool, view: string, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const key = `cel:rebuild:${view}`;
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1::text)) AS ok', [key]);
    if (locked.rows[0]?.ok !== true) throw new RebuildRunningError(view);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1::text))', [key]);
    }
  } finally {
    client.release();
  }
}

export function rebuildView(
  deps: RebuildDeps,
  view: RebuildableView,
  options: { readonly dropOld: boolean },
): Promise<RebuildOutcome> {
  return whileHoldingRebuildLock(deps.pool, view.name, async () => {
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      return await rebuildHoldingLock(deps, admin, view, options);
    } finally {
      await admin.disconnect();
    }
  });
}

async function rebuildHoldingLock(
  deps: RebuildDeps,
  admin: Admin,
  view: RebuildableView,
  options: { readonly dropOld: boolean },
): Promise<RebuildOutcome> {
  const { pool, topic, signal } = deps;
  const now = deps.now ?? (() => performance.now());
  const aborted = () => signal?.aborted === true;
  const started = await startViewVersion(pool, view);
  const { version, tables, liveVersion } = started;
  const progressName = progressNameOf(view.name, version);
  const label = `${view.name} v${version}`;
  // Holding the rebuild lock, any hold on the two is left by a rebuild that died holding.
  await releaseStoredOffsets(pool, [view.name, progressName], topic);
  const startedAt = await readStoredOffsets(pool, progressName, topic);
  const { ends, starts } = await endOffsetsOf(admin, topic);
  deps.progress(
    started.resumed
      ? `${label}: resuming from offset ${positionOf(startedAt)} of ${positionOf(ends)} (${describeOffsets(startedAt)}); v${liveVersion} stays live`
      : `${label}: building from offset 0 of ${positionOf(ends)} into ${Object.values(tables).join(', ')}; v${liveVersion} stays live`,
  );
  const trimmed = [...starts].filter(([, low]) => low > 0n);
  if (trimmed.length > 0) {
    deps.progress(
      `${label}: warning: the log no longer starts at 0 (${describeOffsets(new Map(trimmed))}); records before those offsets are not in the rebuild`,
    );
  }

  const counts = { applied: 0, duplicates: 0, deadLettered: 0, consumed: 0 };
  let firstApplyAt: number | undefined;
  let lastApplyAt: number | undefined;
  const run = (): ViewConsumer => {
    const consumer = view.consumer(progressName, tables, {
      kafka: deps.kafka,
      pool,
      topic,
      codec: deps.codec,
      groupId: `${deps.groupPrefix}.${progressName}`,
      logger: deps.logger,
      maxBytesPerPartition: deps.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: Math.max(deps.maxBytes ?? DEFAULT_MAX_BYTES, deps.maxBytesPerPartition ?? 0),
      partitionsConsumedConcurrently: deps.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_AT_ONCE,
      ...(deps.failpoints === undefined ? {} : { failpoints: deps.failpoints }),
    });
    consumer.events.on('batch.applied', (batch: ProgressCounts & { from: bigint; to: bigint }) => {
      counts.applied += batch.applied;
      counts.duplicates += batch.duplicates;
      counts.deadLettered += batch.deadLettered;
      counts.consumed += Number(batch.to - batch.from);
      lastApplyAt = now();
    });
    return consumer;
  };

  let consumer: ViewConsumer | undefined;
  let lastReported: bigint | undefined;
  /**
   * Runs the rebuild's consumer until its stored offsets reach `target` (by default the log's
   * end offsets, read again on each tick), or the signal aborts. The consumer keeps running
   * afterwards, so that the final alignment does not wait for a new group join.
   */
  const catchUp = async (target?: Offsets): Promise<Offsets> => {
    const window: ProgressSample[] = [];
    let printedAt = now();
    for (;;) {
      const sample: ProgressSample = {
        at: now(),
        stored: await readStoredOffsets(pool, progressName, topic),
        ends: target ?? (await endOffsetsOf(admin, topic)).ends,
      };
      window.push(sample);
      while (window.length > 2 && (window[0]?.at ?? sample.at) < sample.at - RATE_WINDOW_MS) window.shift();
      const caughtUp = isCaughtUp(sample.stored, sample.ends);
      // Caught up is said once per position, not again by each alignment that finds nothing to read.
      const news = positionOf(sample.stored) !== lastReported;
      if ((caughtUp && news) || sample.at - printedAt >= PROGRESS_EVERY_MS) {
        deps.progress(describeProgress(label, counts, window[0] ?? sample, sample));
        printedAt = sample.at;
        lastReported = positionOf(sample.stored);
      }
      if (caughtUp || aborted()) return sample.stored;
      if (consumer === undefined) {
        consumer = run();
        await consumer.start(); // resolves once the group is joined
        firstApplyAt ??= now();
        window.length = 0; // the rate counts from here, not from before the group was joined
      }
      await pause(TICK_MS, signal);
    }
  };

  /** Waits until the live view has applied exactly the rebuilt offsets; false if it passes them or the time runs out. */
  const liveReaches = async (rebuilt: Offsets): Promise<boolean> => {
    const timeoutMs = deps.alignTimeoutMs ?? 30_000;
    const deadline = now() + timeoutMs;
    for (let waited = false; ; waited = true) {
      const live = await readStoredOffsets(pool, view.name, topic);
      const behind = [...rebuilt].some(([p, o]) => (live.get(p) ?? 0n) < o);
      const ahead = [...live].some(([p, o]) => o > (rebuilt.get(p) ?? 0n));
      if (!behind) return !ahead;
      if (now() > deadline || aborted()) return false;
      if (!waited) {
        deps.progress(
          `${label}: waiting up to ${timeoutMs / 1000}s for the live view (at offset ${positionOf(live)}) to reach ${positionOf(rebuilt)}, so that the checksums compare`,
        );
      }
      await pause(TICK_MS, signal);
    }
  };

  const holdBoth = () =>
    holdAtLogEnd(
      { pool, topic, logger: deps.logger },
      [view.name, progressName],
      async () => (await endOffsetsOf(admin, topic)).ends,
    );

  const interrupted = async (): Promise<RebuildOutcome> => {
    await consumer?.stop(); // finishes the batch in hand
    consumer = undefined;
    const stored = await readStoredOffsets(pool, progressName, topic); // the consumer may have finished one more batch
    deps.progress(`${label}: stopped at offset ${positionOf(stored)}; v${liveVersion} untouched; run again to resume`);
    return { kind: 'interrupted', version, storedOffsets: stored };
  };

  const plan = { view, topic, liveVersion, version };
  try {
    let compared: ComparedVersions | undefined;
    for (let round = 1; ; round += 1) {
      await catchUp();
      if (aborted()) return await interrupted();
      // Hold both where the log ends and let both get there: first to compare them (from one
      // snapshot: the hold is lifted as soon as it is fixed, and the live view goes on while
      // every row of both is read), then, briefly, to swap. Between the two both apply the
      // same records, so they stay as equal as they were. Live readers are served throughout;
      // only new events wait, while the two are brought to the same offsets.
      const hold = await holdBoth();
      try {
        deps.progress(
          `${label}: holding v${liveVersion} and v${version} at offset ${positionOf(hold.at)} ${compared === undefined ? 'to compare them' : 'to swap'}`,
        );
        const rebuilt = await catchUp(hold.at);
        if (aborted()) return await interrupted();
        const aligned = await liveReaches(rebuilt);
        if (aborted()) return await interrupted();
        const lastRound = round >= MAX_ROUNDS;
        if (!aligned && !lastRound) {
          const live = await readStoredOffsets(pool, view.name, topic);
          if ([...live].some(([p, o]) => o > (rebuilt.get(p) ?? 0n))) {
            deps.progress(`${label}: the live view passed the hold; catching up again (round ${round + 1})`);
            continue;
          }
        }
        if (compared === undefined || !aligned) {
          // Not aligned: the live consumer is not running (or far behind); it re-seeks to the
          // rebuilt offsets after the swap, and the checksums are printed as not comparable.
          compared = await compareVersions(pool, plan, hold.release);
          deps.progress(describeComparison(label, compared));
          if (aligned && !lastRound) continue;
        }
        const swap = await swapWithRetries(deps, { ...plan, requireSameOffsets: !lastRound && aligned }, compared);
        if (swap.kind === 'offsets-differ') {
          deps.progress(`${label}: the live view moved on during the swap; catching up again (round ${round + 1})`);
          continue;
        }
        await consumer?.stop();
        consumer = undefined;
        const elapsed = ((lastApplyAt ?? now()) - (firstApplyAt ?? now())) / 1000;
        const eventsPerSecond = elapsed > 0 ? counts.consumed / elapsed : 0;
        deps.progress(
          `${label}: swapped in at offset ${positionOf(swap.swappedAt.rebuilt)}; ${counts.consumed} events read in ${elapsed.toFixed(1)}s (${Math.round(eventsPerSecond)} events/s)`,
        );
        await admin
          .deleteGroups([`${deps.groupPrefix}.${progressName}`])
          .catch((error: unknown) => deps.logger.debug({ err: error }, 'rebuild consumer group not deleted'));
        const dropped = options.dropOld ? await dropRetiredVersions(pool, view) : [];
        return { kind: 'swapped', version, startedAt, swap, eventsPerSecond, dropped };
      } finally {
        await hold.release();
      }
    }
  } finally {
    await consumer?.stop();
  }
}

const describeComparison = (label: string, compared: ComparedVersions): string => {
  const { live, rebuilt } = compared;
  const where = sameOffsets(live.offsets, rebuilt.offsets)
    ? `at offset ${positionOf(live.offsets)}`
    : `at offsets ${positionOf(live.offsets)} (live) and ${positionOf(rebuilt.offsets)} (rebuilt), not comparable`;
  const verdict = live.checksum.md5 === rebuilt.checksum.md5 ? 'equal' : 'different';
  return `${label}: checksums ${where}: ${verdict} (${live.checksum.rows} and ${rebuilt.checksum.rows} rows)`;
};

/** The swap waits for locks held by live batches; a lock timeout or deadlock is retried (0.5 s, 1 s, 1.5 s, 2 s). */
const swapRetry = {
  attempts: 5,
  initialDelayMs: 500,
  maxDelayMs: Number.POSITIVE_INFINITY,
  growth: 'linear',
  jitter: 0,
} as const satisfies RetryOptions;

function swapWithRetries(deps: RebuildDeps, plan: SwapPlan, compared: ComparedVersions): Promise<SwapOutcome> {
  return withRetry(() => swapViewVersion(deps.pool, plan, compared), {
    ...swapRetry,
    retriable: isTransientPgError,
    onRetry: (error, attempt) =>
      deps.logger.warn({ err: error, view: plan.view.name, attempt }, 'swap did not get its locks; retrying'),
  });
}
