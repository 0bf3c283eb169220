/**
 * The adapters' one Kafka producer: acks=all and idempotent, raw receipts, rejected inputs
 * and canonical events. A send that fails or times out throws PublishUnavailableError and
 * the producer is replaced (a kafkajs idempotent producer can stay wedged after a broker
 * loss), so the caller can answer "resend later" and the next message gets a fresh one. I/O.
 */
import type { EventCodec } from '../../platform/eventCodec.js';
import type { Kafka, Producer } from '../../platform/kafka.js';
import type { Logger } from '../../platform/logger.js';
import type { RecordCodec } from '../../platform/recordCodec.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { recordHeaders, type TopicNames } from '../../schemas/topics.js';
import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { Rejection } from '../rejection.js';

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

type OutgoingMessage = { key: string; value: Buffer; headers?: Record<string, string> };

export function createKafkaPublisher(deps: {
  readonly kafka: Kafka;
  readonly topics: TopicNames;
  readonly eventCodec: EventCodec;
  readonly recordCodec: RecordCodec;
  readonly logger: Logger;
  readonly sendTimeoutMs?: number;
}): Publisher {
  const timeoutMs = deps.sendTimeoutMs ?? 15_000;
  let producer: Promise<Producer> | undefined;

  const connected = (): Promise<Producer> => {
    producer ??= (async () => {
      const p = deps.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 5, maxRetryTime: 3000 },
      });
      await p.connect();
      return p;
    })();
    return producer;
  };

  const discard = (broken: Promise<Producer>) => {
    if (producer === broken) producer = undefined;
    void broken.then((p) => p.disconnect()).catch(() => undefined);
  };

  async function send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const current = connected();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([(async () => (await current).send({ topic, acks: -1, messages: [...messages] }))(), timeout]);
    } catch (error) {
      discard(current);
      deps.logger.warn({ err: error, topic }, 'Kafka write failed; producer replaced');
      throw new PublishUnavailableError(topic, { cause: error });
    } finally {
      clearTimeout(timer);
    }
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
    publishEvents(events) {
      return send(
        deps.topics.canonical,
        events.map((event) => ({
          key: event.patient.nhsNumber,
          value: deps.eventCodec.encode(event),
          headers: {
            [recordHeaders.eventType]: event.type,
            [recordHeaders.eventId]: event.eventId,
            [recordHeaders.correlationId]: event.correlationId,
          },
        })),
      );
    },
    async close() {
      const current = producer;
      producer = undefined;
      if (current !== undefined) await (await current.catch(() => undefined))?.disconnect();
    },
  };
}
