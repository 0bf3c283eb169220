import type { ICustomPartitioner, Message, ProducerConfig, RecordMetadata } from 'kafkajs';
import { describe, expect, test } from 'vitest';
import { createAcknowledgedProducer, partitionsLeftOut, SendIncompleteError } from './acknowledgedProducer.js';
import type { Kafka } from './kafka.js';

const PARTITIONS = 3;
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionId,
  leader: partitionId,
  partitionErrorCode: 0,
  replicas: [partitionId],
  isr: [partitionId],
}));

type Request = { readonly values: readonly string[]; readonly partitions: readonly number[] };

/**
 * A client whose producer places records with the partitioner it was given (as kafkajs does, on
 * every attempt) and acknowledges the partitions `answer` returns for each request: the way to
 * show a send that kafkajs resolves with partitions missing.
 */
function clientAnswering(answer: (request: Request, index: number) => readonly number[]) {
  const requests: Request[] = [];
  const producer = (config: ProducerConfig) => {
    const partitioner = (config.createPartitioner as ICustomPartitioner)();
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (record: { topic: string; messages: Message[] }): Promise<RecordMetadata[]> => {
        const placed = record.messages.map((message) =>
          partitioner({ topic: record.topic, partitionMetadata, message }),
        );
        const request = { values: record.messages.map((m) => String(m.value)), partitions: placed };
        requests.push(request);
        return answer(request, requests.length - 1).map((partition) => ({
          topicName: record.topic,
          partition,
          errorCode: 0,
          baseOffset: String(100 * requests.length + partition),
        }));
      },
    };
  };
  return { kafka: { producer } as unknown as Kafka, requests };
}

const messages = Array.from({ length: 30 }, (_, i) => ({ key: `patient-${i}`, value: `record-${i}` }));
const distinct = (xs: readonly number[]) => [...new Set(xs)].sort((a, b) => a - b);

describe('partitionsLeftOut', () => {
  test('names each placed partition that no error-free acknowledgement covers, once', () => {
    expect(
      partitionsLeftOut(
        [0, 1, 1, 2, 2],
        [
          { partition: 0, errorCode: 0 },
          { partition: 2, errorCode: 6 },
        ],
      ),
    ).toEqual([1, 2]);
    expect(
      partitionsLeftOut(
        [0, 1],
        [
          { partition: 1, errorCode: 0 },
          { partition: 0, errorCode: 0 },
        ],
      ),
    ).toEqual([]);
  });
});

describe('createAcknowledgedProducer', () => {
  test('a send acknowledged without one partition sends that partition’s records again, and only those', async () => {
    const client = clientAnswering((request, index) =>
      index === 0 ? distinct(request.partitions).filter((p) => p !== 1) : distinct(request.partitions),
    );
    const producer = createAcknowledgedProducer(client.kafka);
    const acks = await producer.send('t', messages);

    expect(client.requests).toHaveLength(2);
    const [first, second] = client.requests;
    const onPartition1 = first?.values.filter((_, i) => first.partitions[i] === 1) ?? [];
    expect(onPartition1.length).toBeGreaterThan(0);
    expect(second?.values).toEqual(onPartition1);
    expect(distinct(second?.partitions ?? [])).toEqual([1]);
    expect(acks.map((a) => a.partition).sort()).toEqual([0, 1, 2]);
  });

  test('a record keeps the partition of its first placement when it is sent again', async () => {
    const client = clientAnswering((request, index) => (index === 0 ? [] : distinct(request.partitions)));
    await createAcknowledgedProducer(client.kafka).send('t', messages);
    expect(client.requests[1]?.partitions).toEqual(client.requests[0]?.partitions);
  });

  test('a send still short after its resend rounds fails as retriable, naming the partitions', async () => {
    const client = clientAnswering((request) => distinct(request.partitions).filter((p) => p !== 2));
    const send = createAcknowledgedProducer(client.kafka).send('t', messages);
    await expect(send).rejects.toBeInstanceOf(SendIncompleteError);
    await expect(send).rejects.toMatchObject({ partitions: [2], retriable: true });
    expect(client.requests).toHaveLength(3);
  });

  test('the caller’s records are not touched, and the same records can be sent twice', async () => {
    const client = clientAnswering((request) => distinct(request.partitions));
    const producer = createAcknowledgedProducer(client.kafka);
    const frozen = messages.map((m) => Object.freeze({ ...m }));
    await producer.send('t', frozen);
    await producer.send('t', frozen);
    expect(client.requests).toHaveLength(2);
    expect(client.requests[1]?.partitions).toEqual(client.requests[0]?.partitions);
  });
});
