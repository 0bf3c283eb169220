/** Writes a view's dead letters to the dead-letter topic (acks=all), keyed by the original key. I/O. */
import { type AcknowledgedProducer, createAcknowledgedProducer } from '../platform/acknowledgedProducer.js';
import type { Kafka } from '../platform/kafka.js';
import type { RecordCodec } from '../platform/recordCodec.js';
import type { DeadLetterRecord } from './deadLetters.js';

export type DeadLetterPublisher = {
  publish(records: readonly DeadLetterRecord[]): Promise<void>;
  close(): Promise<void>;
};

export function createDeadLetterPublisher(
  kafka: Kafka,
  codec: RecordCodec,
  topic: string,
  clock: () => Date,
): DeadLetterPublisher {
  let producer: Promise<AcknowledgedProducer> | undefined;
  const connected = () => {
    producer ??= (async () => {
      const p = createAcknowledgedProducer(kafka);
      await p.connect();
      return p;
    })();
    return producer;
  };
  return {
    async publish(records) {
      if (records.length === 0) return;
      const current = connected();
      try {
        await (await current).send(
          topic,
          records.map((r) => ({
            key: r.key,
            value: codec.encode('DeadLetter', {
              deadLetteredAt: clock(),
              consumerGroup: r.view,
              topic: r.topic,
              partition: r.partition,
              offset: Number(r.offset),
              eventId: r.eventId,
              errorCode: r.errorCode,
              error: r.error,
              attempts: r.attempts,
              key: r.key,
              value: r.value,
            }),
          })),
        );
      } catch (error) {
        if (producer === current) producer = undefined; // a wedged producer is replaced on the next call
        throw error;
      }
    },
    async close() {
      const current = producer;
      producer = undefined;
      if (current !== undefined) await (await current.catch(() => undefined))?.disconnect();
    },
  };
}
