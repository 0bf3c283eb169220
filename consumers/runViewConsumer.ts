/**
 * One consumer-group member keeping one view current (any number of instances may run).
 * Correctness does not rest on the client: progress is the stored offset in PostgreSQL, each
 * batch's first offset is checked against it (below: skip the overlap; above: re-seek), the
 * offset advances by compare-and-set (a zombie's batch rolls back), and Kafka's committed
 * offsets are written only to show lag. A member the client gives up on is replaced, and so is
 * one that stays connected but stops fetching (a stall watchdog). Emits
 * `batch.applied`, `batch.dead-lettered`, `partition.reseeked`, `partition.lost`,
 * `consumer.restarting`, `consumer.stall-checked`. I/O.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventCodec } from '../platform/eventCodec.js';
import {
  type Consumer,
  createOffsetReader,
  type EachBatchPayload,
  fetchPartitionOffsets,
  type Kafka,
} from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import { isTransientPgError, type Pool } from '../platform/postgres.js';
import { SchemaRegistryError } from '../platform/schemaRegistry.js';
import type { LiveView, LogIndex } from '../projections/liveView.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { recordHeaders, type TopicRole } from '../schemas/topics.js';
import { type ApplyHooks, applyBatchExactlyOnce, type Batch, type BatchRecord } from './applyBatchExactlyOnce.js';
import {
  ConsumerStalledError,
  HoldPlacedError,
  LogBehindViewError,
  PartitionOwnershipLostError,
  StoredOffsetGapError,
} from './consumerErrors.js';
import type { DeadLetterRecord } from './deadLetters.js';
import { recordFoldVersion } from './foldVersions.js';
import { initStoredOffsets, readStoredOffsets } from './storedOffsets.js';

export type ViewConsumerOptions<State, Decoded = ClinicalEvent> = {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly view: LiveView<State> | LogIndex<Decoded>;
  readonly topic: string;
  readonly codec: EventCodec;
  /** Decodes a record value for a log index over another topic (default: `codec`, clinical events). */
  readonly decode?: (value: Buffer) => Promise<Decoded>;
  readonly groupId: string;
  readonly logger: Logger;
  /** Writes dead letters to the dead-letter topic (inside the batch's transaction, before COMMIT). */
  readonly publishDeadLetters?: (records: readonly DeadLetterRecord[]) => Promise<void>;
  /** Attempts of a failing batch before its records are applied one by one (and the failing one dead-lettered). */
  readonly maxAttempts?: number;
  /** Upper bound of one fetch per partition (smaller means smaller batches). */
  readonly maxBytesPerPartition?: number;
  /** Upper bound of one fetch over all partitions (kafkajs default 10 MiB); raise it with maxBytesPerPartition. */
  readonly maxBytes?: number;
  /**
   * Batches of different partitions applied at once (default 1), each in its own transaction,
   * as separate instances would: node folds one while PostgreSQL writes another. A patient
   * is in one partition only (the NHS number is the key), so no two batches share a state.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How long assigned partitions may have records to apply without a batch arriving, nothing
   * being in hand, before the member is taken for stalled and replaced (default 60 s).
   */
  readonly stallTimeoutMs?: number;
  /** Test failpoints. */
  readonly failpoints?: {
    /** Called on each assignment; true makes that member stop fetching (a stalled client). */
    readonly stallAfterJoin?: () => boolean;
    readonly midBatch?: () => Promise<void>;
    readonly afterCommitBeforeKafkaCommit?: () => Promise<void>;
    /** Called before each batch is applied; what it throws leaves eachBatch (kafkajs sees it). */
    readonly beforeBatch?: () => Promise<void>;
  };
};

/** A live view of any state type (or a log index), ready to make consumers for itself. */
export type RunnableView = {
  readonly name: string;
  /** The topic it consumes; the canonical topic when absent. */
  readonly reads?: TopicRole;
  consumer(options: Omit<ViewConsumerOptions<unknown>, 'view' | 'decode'>): ViewConsumer;
};

export function runnable<State>(view: LiveView<State>): RunnableView {
  return {
    name: view.name,
    consumer: (options) => createViewConsumer({ ...options, view } as ViewConsumerOptions<State>),
  };
}

/** What a log index over another topic reads, and how that topic's records decode. */
export type IndexReads<Decoded> = {
  readonly topic: TopicRole;
  readonly decode: (value: Buffer) => Promise<Decoded>;
};

/** A log index, ready to make consumers for itself: over the canonical topic, or over `reads`. */
export function runnableIndex(index: LogIndex): RunnableView;
export function runnableIndex<Decoded>(index: LogIndex<Decoded>, reads: IndexReads<Decoded>): RunnableView;
export function runnableIndex<Decoded>(index: LogIndex<Decoded>, reads?: IndexReads<Decoded>): RunnableView {
  return {
    name: index.name,
    ...(reads === undefined ? {} : { reads: reads.topic }),
    consumer: (options) =>
      createViewConsumer<never, Decoded>({
        ...options,
        view: index,
        ...(reads === undefined ? {} : { decode: reads.decode }),
      }),
  };
}

export type ViewConsumer = {
  start(): Promise<void>;
  /** Finishes the batch in hand, then leaves the group. */
  stop(): Promise<void>;
  readonly events: EventEmitter;
};

/** The longest wait before a consumer that kafkajs gave up on is replaced. */
const MAX_RESTART_DELAY_MS = 60_000;

/** A batch left unapplied because the consumer is stopping while it waited (nothing stored; read again later). */
class BatchAbandonedError extends Error {}

/** How often a held partition looks again whether its hold is lifted. */
const HOLD_POLL_MS = 200;

const errorCodeOf = (error: unknown): string =>
  typeof (error as { code?: unknown }).code === 'string'
    ? String((error as { code: string }).code)
    : 'CEL_ERR_APPLY_FAILED';

/** The event id of a decoded record, when it is a clinical event (for its dead letter). */
const eventIdOf = (decoded: unknown): string | null =>
  typeof decoded === 'object' && decoded !== null && typeof (decoded as { eventId?: unknown }).eventId === 'string'
    ? (decoded as { eventId: string }).eventId
    : null;

export function createViewConsumer<State, Decoded = ClinicalEvent>(
  options: ViewConsumerOptions<State, Decoded>,
): ViewConsumer {
  const { view, topic, pool } = options;
  if (options.decode !== undefined && !('kind' in view))
    throw new Error(`${view.name} is a live view: it reads clinical events, so it takes no other decoder`);
  // Without `decode` the records are clinical events (the guard above keeps live views on them).
  const decodeValue = options.decode ?? ((value: Buffer) => options.codec.decode(value) as Promise<Decoded>);
  const log = options.logger.child({ module: 'view-consumer', view: view.name });
  const events = new EventEmitter();
  const maxAttempts = options.maxAttempts ?? 3;
  /** The offset each partition was last re-seeked to: a gap right after it is real (no records in between). */
  const seekedTo = new Map<number, bigint>();
  /** Partitions stopped by a hold, to log its start and end once. */
  const held = new Set<number>();
  let consumer: Consumer | undefined;
  let stopping = false;
  /** Members replaced in a row without a batch applied in between; reset by the next applied batch. */
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  let stallTimer: NodeJS.Timeout | undefined;
  /** The watchdog's one admin connection, kept between its checks. */
  const offsetReader = createOffsetReader(options.kafka);
  /** The current member's partitions (from its last assignment). */
  let assigned = new Set<number>();
  /** Batches being applied now, and when each partition's last one was handed over or ended. */
  let inHand = 0;
  const lastBatchAt = new Map<number, number>();
  /**
   * Per partition, the offset after the last batch the client fetched, including batches of
   * transaction markers only, which never reach eachBatch: the client is not stalled at a
   * log end that is only markers.
   */
  const fetchedThrough = new Map<number, bigint>();
  /** Per lagging partition: the stored offset it lagged at, and since when. */
  let lagging = new Map<number, { readonly at: bigint; readonly since: number }>();
  let checkingStall = false;

  const hooks = (attempt: number): ApplyHooks => ({
    ...(options.failpoints?.midBatch ? { midBatch: options.failpoints.midBatch } : {}),
    beforeCommit: async (deadLetters) => {
      await options.publishDeadLetters?.(deadLetters.map((d) => ({ ...d, attempts: attempt })));
    },
  });

  /**
   * Decodes a value; while the schema registry cannot be reached (a writer schema not seen
   * yet), waits for it rather than dead-lettering good records: the partition stands still,
   * visibly (lag, a warning), and goes on in order once the registry answers.
   */
  async function decodeWaitingForRegistry(value: Buffer): Promise<Decoded> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await decodeValue(value);
      } catch (error) {
        if (!(error instanceof SchemaRegistryError && error.retriable)) throw error;
        if (stopping) throw new BatchAbandonedError();
        if (attempt === 1)
          log.warn({ err: error }, 'schema registry unavailable; the partition waits for it, nothing is dead-lettered');
        await delay(Math.min(10_000, 500 * attempt));
      }
    }
  }

  async function decode(message: EachBatchPayload['batch']['messages'][number]): Promise<BatchRecord<Decoded>> {
    const base = { offset: BigInt(message.offset), key: message.key, value: message.value };
    if (message.value === null) {
      return {
        ...base,
        decoded: { ok: false, errorCode: 'CEL_ERR_UNDECODABLE', error: 'record has no value', eventId: null },
      };
    }
    try {
      return { ...base, decoded: { ok: true, event: await decodeWaitingForRegistry(message.value) } };
    } catch (error) {
      if (error instanceof BatchAbandonedError) throw error;
      const eventId = message.headers?.[recordHeaders.eventId]?.toString() ?? null;
      return {
        ...base,
        decoded: {
          ok: false,
          errorCode: errorCodeOf(error),
          error: error instanceof Error ? error.message : String(error),
          eventId: eventId !== null && /^[0-9a-f-]{36}$/.test(eventId) ? eventId : null,
        },
      };
    }
  }

  async function applyWithRetries(batch: Batch<Decoded>): Promise<Awaited<ReturnType<typeof applyBatchExactlyOnce>>> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      try {
        return await applyBatchExactlyOnce(pool, view, batch, hooks(attempt), attempt);
      } catch (error) {
        if (error instanceof StoredOffsetGapError || error instanceof PartitionOwnershipLostError) throw error;
        if (error instanceof HoldPlacedError) {
          attempt -= 1; // not the records' fault: apply them again, now under the hold
          continue;
        }
        if (isTransientPgError(error)) {
          // Not the records' fault (a lock held by a frozen instance, a lost connection): wait
          // and try again without counting it against them.
          log.warn({ err: error, partition: batch.partition }, 'transient database error; retrying the batch');
          await delay(Math.min(5000, 200 * attempt));
          attempt -= 1;
          if (stopping) throw error;
          continue;
        }
        lastError = error;
        log.warn({ err: error, partition: batch.partition, attempt }, 'batch failed; retrying');
      }
    }
    if (batch.records.length === 1) {
      // A single record that keeps failing is poison: dead-letter it so the partition moves on.
      const [record] = batch.records;
      if (record === undefined) return undefined;
      const poisoned: BatchRecord<Decoded> = {
        ...record,
        decoded: {
          ok: false,
          errorCode: errorCodeOf(lastError),
          error: lastError instanceof Error ? lastError.message : String(lastError),
          eventId: record.decoded.ok ? eventIdOf(record.decoded.event) : record.decoded.eventId,
        },
      };
      return applyBatchExactlyOnce(pool, view, { ...batch, records: [poisoned] }, hooks(maxAttempts), maxAttempts);
    }
    // Isolate the failing record: apply one by one.
    let result: Awaited<ReturnType<typeof applyBatchExactlyOnce>>;
    for (const record of batch.records) result = await applyWithRetries({ ...batch, records: [record] });
    return result;
  }

  /**
   * A held partition (a rebuild aligning with this view) applies nothing at or after the held
   * offset: wait a moment, then fetch from there again, until the hold is lifted or expires.
   */
  async function waitOutHold(partition: number, heldAt: bigint): Promise<void> {
    if (!held.has(partition)) {
      held.add(partition);
      log.info({ partition, heldAt: String(heldAt) }, 'partition held (a rebuild is aligning with this view)');
    }
    if (!stopping) await delay(HOLD_POLL_MS);
    seekTo(consumer, partition, heldAt);
  }

  /** Moves a member's fetch position; the batches check their first offset against it. */
  function seekTo(member: Consumer | undefined, partition: number, offset: bigint): void {
    seekedTo.set(partition, offset);
    fetchedThrough.delete(partition);
    member?.seek({ topic, partition, offset: String(offset) });
  }

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload) {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    inHand += 1; // its start is stamped by the client's batch-start event (below)
    try {
      await applyHandedBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary });
    } finally {
      inHand -= 1;
      lastBatchAt.set(batch.partition, Date.now());
    }
  }

  async function applyHandedBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
  }: Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary'>) {
    await options.failpoints?.beforeBatch?.();
    const partition = batch.partition;
    // A large batch can take longer than the session timeout to apply (or to decode, waiting
    // for the registry); the group would count this member dead and move its partitions.
    // Heartbeats go on meanwhile (a failed one only means a rebalance is under way: the
    // stored-offset compare-and-set settles who applies).
    const beating = setInterval(() => {
      heartbeat().catch((error: unknown) => log.debug({ err: error, partition }, 'heartbeat during apply failed'));
    }, 1000);
    try {
      const records: BatchRecord<Decoded>[] = [];
      for (const message of batch.messages) records.push(await decode(message));
      const result = await applyWithRetries({ topic, partition, records, seekedTo: seekedTo.get(partition) });
      seekedTo.delete(partition);
      // Committed: say so before anything below can throw (a heartbeat refused in a rebalance).
      failures = 0;
      if (result !== undefined && result.to > result.from) {
        events.emit('batch.applied', { partition, ...result });
        if (result.deadLettered > 0) events.emit('batch.dead-lettered', { partition, count: result.deadLettered });
        log.debug(
          { partition, from: String(result.from), to: String(result.to), applied: result.applied },
          'batch applied',
        );
      }
      await options.failpoints?.afterCommitBeforeKafkaCommit?.();
      if (result?.heldAt !== undefined) {
        await waitOutHold(partition, result.heldAt);
        return;
      }
      if (held.delete(partition)) log.info({ partition }, 'hold lifted; applying again');
      const lastOffset = batch.messages.at(-1)?.offset;
      if (lastOffset !== undefined) resolveOffset(lastOffset);
      await commitOffsetsIfNecessary().catch((error: unknown) => log.debug({ err: error }, 'lag commit failed'));
      clearInterval(beating);
      await heartbeat();
    } catch (error) {
      if (error instanceof BatchAbandonedError) return; // stopping: the next member reads it again
      if (error instanceof StoredOffsetGapError) {
        log.warn(
          { partition, expected: String(error.expected), received: String(error.received) },
          'gap before batch; re-seeking',
        );
        seekTo(consumer, partition, error.expected);
        events.emit('partition.reseeked', { partition, offset: error.expected });
        return;
      }
      if (error instanceof PartitionOwnershipLostError) {
        log.warn({ partition }, 'partition applied by another instance; batch rolled back');
        events.emit('partition.lost', { partition });
        return;
      }
      throw error;
    } finally {
      clearInterval(beating);
    }
  }

  /**
   * Joins the group with a new kafkajs consumer. kafkajs restarts itself after most errors;
   * after one it does not retry (an unexpected exception, an authorisation failure) it stops
   * for good, and the view would fall silently behind. Then a new member replaces it, after
   * 1 s, doubling up to a minute while it keeps failing.
   */
  async function startMember(): Promise<void> {
    consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      rebalanceTimeout: 20_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
    const current = consumer;
    // On every assignment, start from the offsets stored with the view. Seek timing in
    // kafkajs is loose, so every batch is checked against the stored offset as well.
    current.on(current.events.GROUP_JOIN, async ({ payload }) => {
      const partitions = payload.memberAssignment[topic] ?? [];
      if (consumer === current) {
        assigned = new Set(partitions);
        lagging = new Map();
      }
      if (options.failpoints?.stallAfterJoin?.() === true) current.pause([{ topic }]);
      try {
        const stored = await readStoredOffsets(pool, view.name, topic);
        for (const partition of partitions) {
          const offset = stored.get(partition);
          if (offset !== undefined) seekTo(current, partition, offset);
        }
      } catch (error) {
        // The batches' own check against the stored offsets re-seeks where this could not.
        log.warn({ err: error, partitions }, 'stored offsets not read on assignment');
      }
      log.info({ partitions }, 'partitions assigned');
    });
    current.on(current.events.START_BATCH_PROCESS, ({ payload }) => {
      if (consumer !== current || payload.topic !== topic) return;
      lastBatchAt.set(payload.partition, Date.now());
      fetchedThrough.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    current.on(current.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping || consumer !== current) return;
      replaceMember(current, payload.error);
    });
    await current.connect();
    await current.subscribe({ topic, fromBeginning: true });
    await current.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    });
  }

  /**
   * The stall watchdog: a partition of this member that has had records to apply, at the same
   * stored offset, for the stall timeout, with no batch handed over since and none in hand,
   * means the client stopped fetching. Lag alone is not a stall (a record may have arrived a
   * moment ago), nor is a long batch (holds and registry or database waits happen inside one).
   */
  async function checkStall(): Promise<void> {
    if (stopping || checkingStall || inHand > 0 || assigned.size === 0 || consumer === undefined) return;
    const member = consumer;
    checkingStall = true;
    try {
      const ends = await offsetReader.read(topic, 5000);
      const stored = await readStoredOffsets(pool, view.name, topic);
      const now = Date.now();
      const next = new Map<number, { readonly at: bigint; readonly since: number }>();
      for (const { partition, high } of ends) {
        const at = stored.get(partition) ?? 0n;
        if (!assigned.has(partition) || at >= high || (fetchedThrough.get(partition) ?? -1n) >= high) continue;
        const before = lagging.get(partition);
        next.set(partition, before !== undefined && before.at === at ? before : { at, since: now });
      }
      lagging = next;
      events.emit('consumer.stall-checked', { lagging: lagging.size });
      const stalled = [...lagging].filter(
        ([partition, lag]) => now - lag.since >= stallTimeoutMs && (lastBatchAt.get(partition) ?? 0) < lag.since,
      );
      if (stalled.length === 0 || inHand > 0 || stopping || consumer !== member) return;
      replaceMember(
        member,
        new ConsumerStalledError(
          view.name,
          stalled.map(([p]) => p).sort((a, b) => a - b),
          stallTimeoutMs,
        ),
      );
    } catch (error) {
      // Kafka or PostgreSQL unreachable: the client and the batches deal with that; look again later.
      log.debug({ err: error }, 'stall check skipped');
    } finally {
      checkingStall = false;
    }
  }

  function replaceMember(failed: Consumer, error: unknown): void {
    failures += 1;
    // Nothing is assigned until the new member joins: the watchdog waits for its assignment.
    assigned = new Set();
    lagging = new Map();
    const inMs = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (failures - 1));
    log.error(
      { err: error, failures, restartInMs: inMs },
      error instanceof ConsumerStalledError
        ? 'view consumer connected but not fetching; a new one starts'
        : 'view consumer stopped on an error the Kafka client does not retry; a new one starts',
    );
    events.emit('consumer.restarting', { error, inMs });
    restartTimer = setTimeout(async () => {
      if (stopping) return;
      await failed.disconnect().catch(() => undefined);
      try {
        await startMember();
      } catch (startError) {
        if (consumer !== undefined && !stopping) replaceMember(consumer, startError);
      }
    }, inMs);
  }

  return {
    events,
    async start() {
      const offsets = await fetchPartitionOffsets(options.kafka, topic);
      await initStoredOffsets(pool, view.name, topic, new Map(offsets.map((o) => [o.partition, o.low])));
      const stored = await readStoredOffsets(pool, view.name, topic);
      for (const { partition, high } of offsets) {
        const next = stored.get(partition) ?? 0n;
        if (next > high) throw new LogBehindViewError(view.name, topic, partition, next, high, !('kind' in view));
      }
      if (!('kind' in view) && view.foldVersion !== undefined) {
        const recorded = await recordFoldVersion(pool, view.name, view.foldVersion);
        if (recorded !== view.foldVersion) {
          // Not stopped: new events still need applying. The rows already made stay as the
          // old configuration made them until a rebuild refolds the whole log.
          log.warn(
            { recorded, configured: view.foldVersion },
            `${view.name} was folded with ${recorded} and now runs with ${view.foldVersion}: its existing rows follow the old configuration; rebuild it with npm run replay -- rebuild ${view.name}`,
          );
          events.emit('fold-version.changed', { recorded, configured: view.foldVersion });
        }
      }
      await startMember();
      stallTimer = setInterval(() => void checkStall(), Math.min(15_000, Math.max(250, stallTimeoutMs / 4)));
      stallTimer.unref();
    },
    async stop() {
      stopping = true;
      clearInterval(stallTimer);
      clearTimeout(restartTimer);
      await offsetReader.close();
      await consumer?.disconnect();
    },
  };
}
