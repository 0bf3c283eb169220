/**
 * Turns a fetched record into a batch record: decoded, or marked undecodable (a poison record
 * the batch dead-letters). While the schema registry cannot be reached (a writer schema not
 * seen yet), it waits for the registry rather than dead-lettering good records: the partition
 * stands still, visibly (lag, a warning), and goes on in order once the registry answers. I/O
 * only through the decode function it is given.
 */
import type { Logger } from '../platform/logger.js';
import { RetryAbortedError, type RetryOptions, withRetry } from '../platform/retry.js';
import { SchemaRegistryError } from '../platform/schemaRegistry.js';
import { recordHeaders } from '../schemas/topics.js';
import type { BatchRecord } from './applyBatchExactlyOnce.js';

/** A batch left unapplied because the consumer is stopping while it waited (nothing stored; read again later). */
export class BatchAbandonedError extends Error {
  constructor(options?: ErrorOptions) {
    super('the consumer is stopping: the batch is left for the next member', options);
    this.name = 'BatchAbandonedError';
  }
}

/** Waiting for the registry: 0.5 s more each time, at most 10 s, for as long as it takes. */
export const registryWait = {
  attempts: 'unlimited',
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  growth: 'linear',
  jitter: 0,
} as const satisfies RetryOptions;

/** The fields of a fetched message the decoder reads (a kafkajs batch message has them). */
export type FetchedMessage = {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
};

export type RecordDecoderDeps<Decoded> = {
  readonly decodeValue: (value: Buffer) => Promise<Decoded>;
  readonly logger: Logger;
  /** Aborted when the consumer stops: a wait for the registry then abandons the batch. */
  readonly signal: AbortSignal;
  /** The wait between registry attempts (tests pass one that takes no time). */
  readonly delay?: RetryOptions['delay'];
};

/** The stable code of a failure, for a dead letter. */
export const errorCodeOf = (error: unknown): string =>
  typeof (error as { code?: unknown }).code === 'string'
    ? String((error as { code: string }).code)
    : 'CEL_ERR_APPLY_FAILED';

/** A record marked as failed with `failure`, so the batch dead-letters it with that failure's code and message. */
export const failedWith = (failure: unknown, eventId: string | null) =>
  ({
    ok: false,
    errorCode: errorCodeOf(failure),
    error: failure instanceof Error ? failure.message : String(failure),
    eventId,
  }) as const;

const registryAway = (error: unknown): boolean => error instanceof SchemaRegistryError && error.retriable;

/** The record's event id from its header, when the header holds a well-formed one (for its dead letter). */
function headerEventId(message: FetchedMessage): string | null {
  const header = message.headers?.[recordHeaders.eventId];
  const eventId = header === undefined ? null : header.toString();
  return eventId !== null && /^[0-9a-f-]{36}$/.test(eventId) ? eventId : null;
}

export function createRecordDecoder<Decoded>(
  deps: RecordDecoderDeps<Decoded>,
): (message: FetchedMessage) => Promise<BatchRecord<Decoded>> {
  const waitingForRegistry = (value: Buffer): Promise<Decoded> =>
    withRetry(() => deps.decodeValue(value), {
      ...registryWait,
      retriable: registryAway,
      signal: deps.signal,
      ...(deps.delay === undefined ? {} : { delay: deps.delay }),
      onRetry: (error, attempt) => {
        if (attempt === 1)
          deps.logger.warn(
            { err: error },
            'schema registry unavailable; the partition waits for it, nothing is dead-lettered',
          );
      },
    });

  return async (message) => {
    const base = { offset: BigInt(message.offset), key: message.key, value: message.value };
    if (message.value === null) {
      return {
        ...base,
        decoded: { ok: false, errorCode: 'CEL_ERR_UNDECODABLE', error: 'record has no value', eventId: null },
      };
    }
    try {
      return { ...base, decoded: { ok: true, event: await waitingForRegistry(message.value) } };
    } catch (error) {
      if (error instanceof RetryAbortedError) throw new BatchAbandonedError({ cause: error });
      return { ...base, decoded: failedWith(error, headerEventId(message)) };
    }
  };
}
