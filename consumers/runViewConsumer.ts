/**
 * One consumer-group member keeping one view current (any number of instances may run).
 * Correctness does not rest on the client: progress is the stored offset in PostgreSQL, each
 * batch's first offset is checked against it (below: skip the overlap; above: re-seek), the
 * offset advances by compare-and-set (a zombie's batch rolls back), and Kafka's committed
 * offsets are written only to show lag. A member the client gives up on is replaced, and so is
 * one that stays connected but stops fetching (a stall watchdog). This module joins the group
 * and wires the jobs together, each in its own module: recordDecoder (decode while the
 * registry is away), applyWithRetries (retries and poison isolation), partitionHolds,
 * batchHandler (the batch loop), memberRestarts and stallWatchdog. Emits `batch.applied`,
 * `batch.dead-lettered`, `partition.reseeked`, `partition.lost`, `consumer.restarting`,
 * `consumer.stall-checked`. I/O.
 */
import { EventEmitter } from 'node:events';
import type { EventCodec } from '../platform/eventCodec.js';
import { type Consumer, createOffsetReader, fetchPartitionOffsets, type Kafka } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { LiveView, LogIndex } from '../projections/liveView.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import type { TopicRole } from '../schemas/topics.js';
import { type ApplyHooks, applyBatchExactlyOnce } from './applyBatchExactlyOnce.js';
import { applyWithRetries } from './applyWithRetries.js';
import { createBatchHandler } from './batchHandler.js';
import { LogBehindViewError } from './consumerErrors.js';
import type { DeadLetterRecord } from './deadLetters.js';
import { recordFoldVersion } from './foldVersions.js';
import { createMemberRestarts } from './memberRestarts.js';
import { createPartitionHolds } from './partitionHolds.js';
import { createRecordDecoder } from './recordDecoder.js';
import { createStallWatchdog } from './stallWatchdog.js';
import { initStoredOffsets, readStoredOffsets } from './storedOffsets.js';
import { traceBatchApply } from './traceBatchApply.js';

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
  /** Aborted by stop(): waits for the registry or the database end, holds stop waiting. */
  const stopping = new AbortController();
  const isStopping = () => stopping.signal.aborted;
  let consumer: Consumer | undefined;
  /** The offset each partition was last re-seeked to: a gap right after it is real (no records in between). */
  const seekedTo = new Map<number, bigint>();

  const watchdog = createStallWatchdog({
    view: view.name,
    topic,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
    offsetReader: createOffsetReader(options.kafka),
    readStoredOffsets: () => readStoredOffsets(pool, view.name, topic),
    currentMember: () => consumer,
    isStopping,
    replace: (member, error) => restarts.replace(member, error),
    emit: (event, payload) => events.emit(event, payload),
    logger: log,
  });

  const restarts = createMemberRestarts({
    logger: log,
    isStopping,
    currentMember: () => consumer,
    startMember,
    memberReplaced: () => watchdog.memberReplaced(),
    emit: (event, payload) => events.emit(event, payload),
  });

  /** Moves a member's fetch position; the batches check their first offset against it. */
  function seekTo(member: Consumer | undefined, partition: number, offset: bigint): void {
    seekedTo.set(partition, offset);
    watchdog.seeked(partition);
    member?.seek({ topic, partition, offset: String(offset) });
  }

  const hooks = (attempt: number): ApplyHooks => ({
    ...(options.failpoints?.midBatch ? { midBatch: options.failpoints.midBatch } : {}),
    beforeCommit: async (deadLetters) => {
      await options.publishDeadLetters?.(deadLetters.map((d) => ({ ...d, attempts: attempt })));
    },
  });

  const handleBatch = createBatchHandler<Decoded>({
    topic,
    logger: log,
    events,
    decode: createRecordDecoder({ decodeValue, logger: log, signal: stopping.signal }),
    apply: (batch) =>
      applyWithRetries(batch, {
        apply: (attempted, attempt) => applyBatchExactlyOnce(pool, view, attempted, hooks(attempt), attempt),
        maxAttempts,
        logger: log,
        signal: stopping.signal,
      }),
    positions: {
      seekedTo: (partition) => seekedTo.get(partition),
      settled: (partition) => seekedTo.delete(partition),
      seekTo: (partition, offset) => seekTo(consumer, partition, offset),
    },
    holds: createPartitionHolds({
      logger: log,
      seekTo: (partition, offset) => seekTo(consumer, partition, offset),
      isStopping,
    }),
    inHand: watchdog,
    committed: () => restarts.batchApplied(),
    ...(options.failpoints === undefined ? {} : { failpoints: options.failpoints }),
  });
  const eachBatch = traceBatchApply({ view: view.name, events }, handleBatch);

  /**
   * Joins the group with a new kafkajs consumer, which becomes the current member. A member
   * the client gives up on, or one the watchdog finds stalled, is replaced (memberRestarts.ts).
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
      if (consumer === current) watchdog.assigned(partitions);
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
      watchdog.fetched(payload.partition, BigInt(payload.lastOffset));
    });
    current.on(current.events.CRASH, ({ payload }) => {
      if (payload.restart || isStopping() || consumer !== current) return;
      restarts.replace(current, payload.error);
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
      watchdog.start();
    },
    async stop() {
      stopping.abort();
      restarts.stop();
      await watchdog.stop();
      await consumer?.disconnect();
    },
  };
}
