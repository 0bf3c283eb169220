import type { ICustomPartitioner, Message, ProducerConfig } from 'kafkajs';
import { describe, expect, test, vi } from 'vitest';
import type { EventCodec } from '../../platform/eventCodec.js';
import type { Kafka } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';
import type { RecordCodec } from '../../platform/recordCodec.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames } from '../../schemas/topics.js';
import { exampleEvents } from '../../test/support/exampleEvents.js';
import { createKafkaPublisher, PublishUnavailableError } from './kafkaPublisher.js';

type Request = {
  readonly topic: string;
  readonly eventIds: readonly string[];
  readonly ack: () => void;
  readonly fail: (error: Error) => void;
};

/** A one-partition producer whose requests wait until the test acknowledges or fails them. */
function brokerWithManualAcks() {
  const requests: Request[] = [];
  let producers = 0;
  const partitionMetadata = [{ partitionId: 0, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }];
  const producer = (config: ProducerConfig) => {
    producers += 1;
    const partitioner = (config.createPartitioner as ICustomPartitioner)();
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: (record: { topic: string; messages: Message[] }) =>
        new Promise((resolve, reject) => {
          for (const message of record.messages) partitioner({ topic: record.topic, partitionMetadata, message });
          requests.push({
            topic: record.topic,
            eventIds: record.messages.map((m) => String(m.value)),
            ack: () => resolve([{ topicName: record.topic, partition: 0, errorCode: 0, baseOffset: '0' }]),
            fail: reject,
          });
        }),
    };
  };
  // Only producer() is used by the publisher; the rest of the client is never reached.
  return { kafka: { producer } as unknown as Kafka, requests, producers: () => producers };
}

const topics = topicNames('publisher-test');
const eventCodec = { encode: (e: ClinicalEvent) => Buffer.from(e.eventId) } as unknown as EventCodec;
const recordCodec = { encode: () => Buffer.alloc(0) } as unknown as RecordCodec;
const event = (eventId: string): ClinicalEvent => ({ ...exampleEvents.MedicationOrdered, eventId });

function publisherOn(kafka: Kafka) {
  return createKafkaPublisher({ kafka, topics, eventCodec, recordCodec, logger: createLogger('silent') });
}

describe('kafkaPublisher', () => {
  test('writes that arrive while a request is in flight go together in the next one, each in its own order', async () => {
    const broker = brokerWithManualAcks();
    const publisher = publisherOn(broker.kafka);
    const settled: string[] = [];
    const first = publisher.publishEvents([event('a1')]).then(() => settled.push('a'));
    const second = publisher.publishEvents([event('b1'), event('b2')]).then(() => settled.push('b'));
    const third = publisher.publishEvents([event('c1')]).then(() => settled.push('c'));

    await vi.waitFor(() => expect(broker.requests).toHaveLength(1));
    expect(broker.requests[0]?.eventIds).toEqual(['a1']);
    broker.requests[0]?.ack();
    await first;
    await vi.waitFor(() => expect(broker.requests).toHaveLength(2));
    expect(broker.requests[1]).toMatchObject({ topic: topics.canonical, eventIds: ['b1', 'b2', 'c1'] });
    expect(settled).toEqual(['a']);

    broker.requests[1]?.ack();
    await Promise.all([second, third]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  test('a failed request fails every write it carried as unavailable, and the next write gets a new producer', async () => {
    const broker = brokerWithManualAcks();
    const publisher = publisherOn(broker.kafka);
    const inFlight = publisher.publishEvents([event('a1')]);
    const carried = [publisher.publishEvents([event('b1')]), publisher.publishEvents([event('c1')])];
    await vi.waitFor(() => expect(broker.requests).toHaveLength(1));
    broker.requests[0]?.ack();
    await inFlight;
    await vi.waitFor(() => expect(broker.requests).toHaveLength(2));
    broker.requests[1]?.fail(new Error('broker gone'));

    for (const write of carried) await expect(write).rejects.toBeInstanceOf(PublishUnavailableError);
    const next = publisher.publishEvents([event('d1')]);
    await vi.waitFor(() => expect(broker.requests).toHaveLength(3));
    broker.requests[2]?.ack();
    await next;
    expect(broker.producers()).toBe(2);
  });

  test('an empty write resolves without a request', async () => {
    const broker = brokerWithManualAcks();
    await publisherOn(broker.kafka).publishEvents([]);
    expect(broker.requests).toHaveLength(0);
  });
});
