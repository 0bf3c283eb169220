/**
 * The stall watchdog: a partition of the current member that has had records to apply, at
 * the same stored offset, for the stall timeout, with no batch handed over since and none in
 * hand, means the client stopped fetching, and the member is replaced. Lag alone is not a
 * stall (a record may have arrived a moment ago), nor is a long batch (holds and registry or
 * database waits happen inside one). `decideStall` is the pure decision; the watchdog feeds it
 * the log's end offsets (one admin connection kept between checks) and the stored offsets.
 */
import type { OffsetReader } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import { ConsumerStalledError } from './consumerErrors.js';

/** A partition with records to apply: the stored offset it lagged at, and since when (ms). */
export type Lag = { readonly at: bigint; readonly since: number };

export type StallCheck = {
  /** Each partition's end offset (high-water mark). */
  readonly ends: readonly { readonly partition: number; readonly high: bigint }[];
  /** Each partition's stored next offset (absent: nothing stored yet, 0). */
  readonly stored: ReadonlyMap<number, bigint>;
  /** The current member's partitions. */
  readonly assigned: ReadonlySet<number>;
  /** Per partition, the offset after the last batch the client fetched, marker-only batches included. */
  readonly fetchedThrough: ReadonlyMap<number, bigint>;
  /** Per partition, when its last batch was handed over or ended (ms). */
  readonly lastBatchAt: ReadonlyMap<number, number>;
  /** The lagging partitions of the previous check. */
  readonly lagging: ReadonlyMap<number, Lag>;
  readonly now: number;
  readonly stallTimeoutMs: number;
};

/**
 * Which assigned partitions lag now (keeping the time a lag began while its stored offset
 * stays the same), and which of them have stalled: lagging for the timeout with no batch since.
 * A partition the client has fetched to the end of is not lagging: the rest are transaction
 * markers only, which never reach the batch handler. Pure.
 */
export function decideStall(check: StallCheck): { readonly lagging: Map<number, Lag>; readonly stalled: number[] } {
  const lagging = new Map<number, Lag>();
  for (const { partition, high } of check.ends) {
    const at = check.stored.get(partition) ?? 0n;
    if (!check.assigned.has(partition) || at >= high || (check.fetchedThrough.get(partition) ?? -1n) >= high) continue;
    const before = check.lagging.get(partition);
    lagging.set(partition, before !== undefined && before.at === at ? before : { at, since: check.now });
  }
  const stalled = [...lagging]
    .filter(
      ([partition, lag]) =>
        check.now - lag.since >= check.stallTimeoutMs && (check.lastBatchAt.get(partition) ?? 0) < lag.since,
    )
    .map(([partition]) => partition)
    .sort((a, b) => a - b);
  return { lagging, stalled };
}

export type StallWatchdog = {
  /** The current member was assigned these partitions (lags start again). */
  assigned(partitions: readonly number[]): void;
  /** The client started a batch (also one of markers only): its end is `lastOffset`. */
  fetched(partition: number, lastOffset: bigint): void;
  /** A batch was handed over to be applied. */
  batchHanded(): void;
  /** A handed batch ended, applied or not. */
  batchEnded(partition: number): void;
  /** The fetch position moved: what was fetched says nothing about the new position. */
  seeked(partition: number): void;
  /** The member is being replaced: nothing is assigned until the new one joins. */
  memberReplaced(): void;
  /** Checks every quarter of the timeout (between 250 ms and 15 s). */
  start(): void;
  stop(): Promise<void>;
};

export function createStallWatchdog<Member>(deps: {
  readonly view: string;
  readonly topic: string;
  readonly stallTimeoutMs: number;
  readonly offsetReader: OffsetReader;
  readonly readStoredOffsets: () => Promise<ReadonlyMap<number, bigint>>;
  readonly currentMember: () => Member | undefined;
  readonly isStopping: () => boolean;
  readonly replace: (member: Member, error: ConsumerStalledError) => void;
  /** Receives `consumer.stall-checked`. */
  readonly emit: (event: 'consumer.stall-checked', payload: { readonly lagging: number }) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}): StallWatchdog {
  const { stallTimeoutMs, now = Date.now } = deps;
  let assigned = new Set<number>();
  let lagging = new Map<number, Lag>();
  let inHand = 0;
  const lastBatchAt = new Map<number, number>();
  const fetchedThrough = new Map<number, bigint>();
  let checking = false;
  let timer: NodeJS.Timeout | undefined;

  async function check(): Promise<void> {
    const member = deps.currentMember();
    if (deps.isStopping() || checking || inHand > 0 || assigned.size === 0 || member === undefined) return;
    checking = true;
    try {
      const ends = await deps.offsetReader.read(deps.topic, 5000);
      const stored = await deps.readStoredOffsets();
      const decided = decideStall({
        ends,
        stored,
        assigned,
        fetchedThrough,
        lastBatchAt,
        lagging,
        now: now(),
        stallTimeoutMs,
      });
      lagging = decided.lagging;
      deps.emit('consumer.stall-checked', { lagging: lagging.size });
      if (decided.stalled.length === 0 || inHand > 0 || deps.isStopping() || deps.currentMember() !== member) return;
      deps.replace(member, new ConsumerStalledError(deps.view, decided.stalled, stallTimeoutMs));
    } catch (error) {
      // Kafka or PostgreSQL unreachable: the client and the batches deal with that; look again later.
      deps.logger.debug({ err: error }, 'stall check skipped');
    } finally {
      checking = false;
    }
  }

  return {
    assigned(partitions) {
      assigned = new Set(partitions);
      lagging = new Map();
    },
    fetched(partition, lastOffset) {
      lastBatchAt.set(partition, now());
      fetchedThrough.set(partition, lastOffset + 1n);
    },
    batchHanded() {
      inHand += 1;
    },
    batchEnded(partition) {
      inHand -= 1;
      lastBatchAt.set(partition, now());
    },
    seeked(partition) {
      fetchedThrough.delete(partition);
    },
    memberReplaced() {
      assigned = new Set();
      lagging = new Map();
    },
    start() {
      timer = setInterval(() => void check(), Math.min(15_000, Math.max(250, stallTimeoutMs / 4)));
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await deps.offsetReader.close();
    },
  };
}
