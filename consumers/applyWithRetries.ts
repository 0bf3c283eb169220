/**
 * Applies a batch until it commits, telling the records' failures from everyone else's. A
 * failure that is not the records' fault is retried without counting against them: a hold
 * placed while the batch ran (applied again at once, under the hold) and a transient database
 * error (a lock held by a frozen instance, a lost connection: waited out). A failure that may
 * be theirs is retried up to `maxAttempts`; then the batch is applied one record at a time,
 * and a single record that still fails is poison: it is dead-lettered so the partition moves
 * on. A gap or a lost partition is not retried here (the caller re-seeks or lets go). I/O only
 * through the apply function it is given.
 */
import type { Logger } from '../platform/logger.js';
import { isTransientPgError } from '../platform/postgres.js';
import { RetryAbortedError, type RetryOptions, retryDelayMs, withRetry } from '../platform/retry.js';
import type { Batch, BatchRecord, BatchResult } from './applyBatchExactlyOnce.js';
import { HoldPlacedError, PartitionOwnershipLostError, StoredOffsetGapError } from './consumerErrors.js';
import { failedWith } from './recordDecoder.js';

export type ApplyWithRetriesDeps<Decoded> = {
  /** One attempt at the batch, in its own transaction; `attempt` is what the dead letters record. */
  readonly apply: (batch: Batch<Decoded>, attempt: number) => Promise<BatchResult | undefined>;
  /** Attempts of a failing batch before its records are applied one by one. */
  readonly maxAttempts: number;
  readonly logger: Logger;
  /** Aborted when the consumer stops: a wait for the database then ends the batch. */
  readonly signal: AbortSignal;
  /** The wait between database attempts (tests pass one that takes no time). */
  readonly delay?: RetryOptions['delay'];
};

/** The wait after a transient database error: 200 ms per attempt the records have used up, at most 5 s. */
export const transientDatabaseBackoff = {
  initialDelayMs: 200,
  maxDelayMs: 5000,
  growth: 'linear',
  factor: 1,
  jitter: 0,
} as const;

/** The records' own attempts follow each other at once: the database answered, the content did not apply. */
const recordAttempts = (maxAttempts: number) =>
  ({ attempts: maxAttempts, initialDelayMs: 0, maxDelayMs: 0, jitter: 0 }) as const satisfies RetryOptions;

/** The event id of a decoded record, when it is a clinical event (for its dead letter). */
const eventIdOf = (decoded: unknown): string | null =>
  typeof decoded === 'object' && decoded !== null && typeof (decoded as { eventId?: unknown }).eventId === 'string'
    ? (decoded as { eventId: string }).eventId
    : null;

/** A record that failed every attempt, marked so the batch dead-letters it with that failure. Pure. */
export function poisoned<Decoded>(record: BatchRecord<Decoded>, failure: unknown): BatchRecord<Decoded> {
  return {
    ...record,
    decoded: failedWith(failure, record.decoded.ok ? eventIdOf(record.decoded.event) : record.decoded.eventId),
  };
}

/** Failures that end the batch here: the caller re-seeks, lets the partition go, or stops. */
const endsTheBatch = (error: unknown): boolean =>
  error instanceof StoredOffsetGapError ||
  error instanceof PartitionOwnershipLostError ||
  error instanceof RetryAbortedError;

export async function applyWithRetries<Decoded>(
  batch: Batch<Decoded>,
  deps: ApplyWithRetriesDeps<Decoded>,
): Promise<BatchResult | undefined> {
  const { logger: log } = deps;

  /** Attempt `attempt` of the records: a hold placed meanwhile is applied again at once, uncounted. */
  const underHold = (attempt: number) =>
    withRetry(() => deps.apply(batch, attempt), {
      attempts: 'unlimited',
      initialDelayMs: 0,
      maxDelayMs: 0,
      jitter: 0,
      retriable: (error) => error instanceof HoldPlacedError,
    });

  /** The same, waiting out transient database errors, uncounted; the wait depends on the records' attempt. */
  const waitingOutDatabase = (attempt: number) => {
    const waitMs = retryDelayMs(transientDatabaseBackoff, attempt);
    return withRetry(() => underHold(attempt), {
      attempts: 'unlimited',
      initialDelayMs: waitMs,
      maxDelayMs: waitMs,
      growth: 'constant',
      jitter: 0,
      retriable: isTransientPgError,
      signal: deps.signal,
      ...(deps.delay === undefined ? {} : { delay: deps.delay }),
      onRetry: (error) =>
        log.warn({ err: error, partition: batch.partition }, 'transient database error; retrying the batch'),
    });
  };

  let failure: unknown;
  try {
    return await withRetry(waitingOutDatabase, {
      ...recordAttempts(deps.maxAttempts),
      retriable: (error) => !endsTheBatch(error),
      onRetry: (error, attempt) =>
        log.warn({ err: error, partition: batch.partition, attempt }, 'batch failed; retrying'),
    });
  } catch (error) {
    // Stopping while waiting on the database: the failure itself ends the batch, as before the wait.
    if (error instanceof RetryAbortedError) throw error.cause;
    if (endsTheBatch(error)) throw error;
    failure = error;
  }
  log.warn(
    { err: failure, partition: batch.partition, attempt: deps.maxAttempts },
    batch.records.length === 1
      ? 'record failed every attempt; dead-lettering it'
      : 'batch failed; applying its records one by one',
  );
  if (batch.records.length === 1) {
    const [record] = batch.records;
    if (record === undefined) return undefined;
    return deps.apply({ ...batch, records: [poisoned(record, failure)] }, deps.maxAttempts);
  }
  // Isolate the failing record: apply one by one.
  let result: BatchResult | undefined;
  for (const record of batch.records) result = await applyWithRetries({ ...batch, records: [record] }, deps);
  return result;
}
