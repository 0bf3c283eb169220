/**
 * The adapters' one Kafka producer: acks=all and idempotent, raw receipts, rejected inputs,
 * canonical events and access records; a write resolves only when every one of its records is acknowledged
 * (platform/acknowledgedProducer.ts says why that needs checking). A send that fails or times out throws PublishUnavailableError and
 * the producer is replaced (a kafkajs idempotent producer can stay wedged after a broker
 * loss), so the caller can answer "resend later" and the next message gets a fresh one.
 * Concurrent writes to a topic share one request (group commit, below): a write that waits
 * behind a request in flight can take up to twice the send timeout to be answered. I/O.
 */
import { type AcknowledgedProducer, createAcknowledgedProducer } from '../../platform/acknowledgedProducer.js';
import type { EventCodec } from '../../platform/eventCodec.js';
import { groupCommit } from '../../platform/groupCommit.js';
import type { Kafka } from '../../platform/kafka.js';
import type { Logger } from '../../platform/logger.js';
import type { RecordCodec } from '../../platform/recordCodec.js';
import type { AccessRecord, ClinicalEvent } from '../../schemas/generated/events.js';
import { recordHeaders, type TopicNames } from '../../schemas/topics.js';
import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { Rejection } from '../rejection.js';
import { tracePublish } from './tracePublish.js';

export class PublishUnavailableError extends Error {
  readonly code = 'CEL_ERR_PUBLISH_UNAVAILABLE';
  readonly retriable = true;
  constructor(
    readonly topic: string,
    options?: ErrorOptions,
  ) {
    super(`Kafka did not acknowledge the write to ${topic}; the sender should resend`, options);
    this.name = 'PublishUnavailableError';
  }
}

export type Publisher = {
  publishReceipt(message: InboundMessage): Promise<void>;
  publishRejected(message: InboundMessage, rejection: Rejection, answer: string): Promise<void>;
  publishEvents(events: readonly ClinicalEvent[]): Promise<void>;
  close(): Promise<void>;
};

/** Writes access records (who viewed what) to the access-log topic; resolves when Kafka acknowledged. */
export type AccessPublisher = {
  publishAccess(records: readonly AccessRecord[]): Promise<void>;
};

type OutgoingMessage = { key: string; value: Buffer; headers?: Record<string, string> };

/** A canonical event as a record on the log: keyed by NHS number, its type, id and correlation id as headers. */
export function canonicalRecord(
  event: ClinicalEvent,
  value: Buffer,
): { key: string; value: Buffer; headers: Record<string, string> } {
  return {
    key: event.patient.nhsNumber,
    value,
    headers: {
      [recordHeaders.eventType]: event.type,
      [recordHeaders.eventId]: event.eventId,
      [recordHeaders.correlationId]: event.correlationId,
    },
  };
}

const sizeOf = (m: OutgoingMessage) =>
  Buffer.byteLength(m.key) +
  m.value.length +
  Object.entries(m.headers ?? {}).reduce(
    (n, [name, value]) => n + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );

export function createKafkaPublisher(deps: {
  readonly kafka: Kafka;
  readonly topics: TopicNames;
  readonly eventCodec: EventCodec;
  readonly recordCodec: RecordCodec;
  readonly logger: Logger;
  readonly sendTimeoutMs?: number;
}): Publisher & AccessPublisher {
  const timeoutMs = deps.sendTimeoutMs ?? 15_000;
  // A batch's records for one partition form one record batch, which the broker refuses above
  // the topic's max.message.bytes (1 MiB by default); staying under it keeps one large raw
  // receipt from failing the small writes that happened to share its batch.
  const limits = { messages: 500, bytes: 512 * 1024 };
  const writers = new Map<string, (messages: readonly OutgoingMessage[]) => Promise<void>>();
  let producer: Promise<AcknowledgedProducer> | undefined;

  const connected = (): Promise<AcknowledgedProducer> => {
    producer ??= (async () => {
      const p = createAcknowledgedProducer(deps.kafka, { retry: { retries: 5, maxRetryTime: 3000 } });
      await p.connect();
      return p;
    })();
    return producer;
  };

  const discard = (broken: Promise<AcknowledgedProducer>) => {
    if (producer === broken) producer = undefined;
    void broken.then((p) => p.disconnect()).catch(() => undefined);
  };

  async function sendNow(topic: string, messages: readonly OutgoingMessage[], writes: number): Promise<void> {
    const current = connected();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([(async () => (await current).send(topic, messages))(), timeout]);
    } catch (error) {
      discard(current);
      deps.logger.warn(
        { err: error, topic, writes, records: messages.length },
        'Kafka write failed; producer replaced',
      );
      throw new PublishUnavailableError(topic, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Group commit per topic (platform/groupCommit.ts): with nothing in flight for the topic a
   * write goes at once; writes that arrive while a request is in flight wait for it and then go
   * together in one request, each caller's messages together and in order. A failed request
   * fails every write it carried.
   */
  function send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    let write = writers.get(topic);
    if (write === undefined) {
      write = groupCommit<readonly OutgoingMessage[], undefined>({
        maxInFlight: 1,
        maxBatch: limits.messages,
        limits: [
          { size: (w) => w.length, max: limits.messages },
          { size: (w) => w.reduce((n, m) => n + sizeOf(m), 0), max: limits.bytes },
        ],
        run: async (writes) => {
          await sendNow(topic, writes.flat(), writes.length);
          return writes.map(() => undefined);
        },
      });
      writers.set(topic, write);
    }
    return tracePublish(deps.topics, topic, messages, write);
  }

  return {
    publishReceipt(message) {
      return send(deps.topics.raw, [
        {
          key: message.correlationId,
          value: deps.recordCodec.encode('RawReceipt', {
            receiptId: message.receiptId,
            receivedAt: message.receivedAt,
            channel: message.channel,
            remoteAddress: message.remoteAddress,
            correlationId: message.correlationId,
            contentType: message.contentType,
            messageType: message.messageType,
            messageId: message.messageId,
            payload: Buffer.from(message.payload),
          }),
          headers: { [recordHeaders.correlationId]: message.correlationId },
        },
      ]);
    },
    publishRejected(message, rejection, answer) {
      return send(deps.topics.rejected, [
        {
          key: message.correlationId,
          value: deps.recordCodec.encode('RejectedInput', {
            receiptId: message.receiptId,
            rejectedAt: new Date(),
            channel: message.channel,
            correlationId: message.correlationId,
            reasonCode: rejection.kind,
            reason: rejection.reason,
            location: rejection.location,
            answer,
            contentType: message.contentType,
            payload: Buffer.from(message.payload),
          }),
          headers: { [recordHeaders.correlationId]: message.correlationId },
        },
      ]);
    },
    publishAccess(records) {
      return send(
        deps.topics.access,
        records.map((record) => ({
          key: record.actorSub,
          value: deps.recordCodec.encode('AccessRecord', record),
          headers: { [recordHeaders.correlationId]: record.correlationId },
        })),
      );
    },
    publishEvents(events) {
      return send(
        deps.topics.canonical,
        events.map((event) => canonicalRecord(event, deps.eventCodec.encode(event))),
      );
    },
    async close() {
      const current = producer;
      producer = undefined;
      if (current !== undefined) await (await current.catch(() => undefined))?.disconnect();
    },
  };
}
