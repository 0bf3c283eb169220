/**
 * The batch loop's one step, as kafkajs hands a batch over: decode its records, apply them
 * (with retries), say what was applied, wait out a hold, then show the progress to Kafka
 * (committed offsets only show lag: progress is the stored offset). A gap before the batch
 * re-seeks to the stored offset; a partition another instance applied is let go. Heartbeats
 * go on while a long batch is applied. I/O through the functions it is given.
 */
import type { EventEmitter } from 'node:events';
import type { EachBatchPayload } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import type { Batch, BatchRecord, BatchResult } from './applyBatchExactlyOnce.js';
import { PartitionOwnershipLostError, StoredOffsetGapError } from './consumerErrors.js';
import type { PartitionHolds } from './partitionHolds.js';
import { BatchAbandonedError, type FetchedMessage } from './recordDecoder.js';

/** Where each partition's fetch position was last moved to (a gap right after it is real). */
export type FetchPositions = {
  seekedTo(partition: number): bigint | undefined;
  /** A batch was applied after the seek: the next one is checked against the stored offset alone. */
  settled(partition: number): void;
  seekTo(partition: number, offset: bigint): void;
};

export type BatchHandlerDeps<Decoded> = {
  readonly topic: string;
  readonly logger: Logger;
  /** Receives `batch.applied`, `batch.dead-lettered`, `partition.reseeked`, `partition.lost`. */
  readonly events: EventEmitter;
  readonly decode: (message: FetchedMessage) => Promise<BatchRecord<Decoded>>;
  readonly apply: (batch: Batch<Decoded>) => Promise<BatchResult | undefined>;
  readonly positions: FetchPositions;
  readonly holds: PartitionHolds;
  /** Told when a batch is handed over and when it ends (the stall watchdog). */
  readonly inHand: { batchHanded(): void; batchEnded(partition: number): void };
  /** Told when a batch committed (member restarts start their schedule again). */
  readonly committed: () => void;
  readonly failpoints?: {
    readonly beforeBatch?: () => Promise<void>;
    readonly afterCommitBeforeKafkaCommit?: () => Promise<void>;
  };
};

export function createBatchHandler<Decoded>(
  deps: BatchHandlerDeps<Decoded>,
): (payload: EachBatchPayload) => Promise<void> {
  const { topic, logger: log, events, positions } = deps;

  async function applyHandedBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
  }: Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary'>) {
    await deps.failpoints?.beforeBatch?.();
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
      for (const message of batch.messages) records.push(await deps.decode(message));
      const result = await deps.apply({ topic, partition, records, seekedTo: positions.seekedTo(partition) });
      positions.settled(partition);
      // Committed: say so before anything below can throw (a heartbeat refused in a rebalance).
      deps.committed();
      if (result !== undefined && result.to > result.from) {
        events.emit('batch.applied', { partition, ...result });
        if (result.deadLettered > 0) events.emit('batch.dead-lettered', { partition, count: result.deadLettered });
        log.debug(
          { partition, from: String(result.from), to: String(result.to), applied: result.applied },
          'batch applied',
        );
      }
      await deps.failpoints?.afterCommitBeforeKafkaCommit?.();
      if (result?.heldAt !== undefined) {
        await deps.holds.waitOut(partition, result.heldAt);
        return;
      }
      deps.holds.applied(partition);
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
        positions.seekTo(partition, error.expected);
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

  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    deps.inHand.batchHanded(); // its start is stamped by the client's batch-start event
    try {
      await applyHandedBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary });
    } finally {
      deps.inHand.batchEnded(batch.partition);
    }
  };
}
