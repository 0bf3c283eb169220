import { describe, expect, test } from '../test/support/fixtures.js';
import { kafkaConnectionFor } from '../test/support/testKafka.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { createKafkaClient } from './kafka.js';

describe('the real broker', () => {
  test('a record produced with acks=all and idempotence is consumed back by a group', async ({ kafkaBrokers }) => {
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: uniqueName('client'),
    });
    const topic = uniqueName('roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: '9991000216', value: 'hello' }] });
    await producer.disconnect();
    expect(meta?.errorCode).toBe(0);

    const consumer = kafka.consumer({ groupId: uniqueName('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string | undefined; value: string | undefined; offset: string }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString(), value: message.value?.toString(), offset: message.offset });
      },
    });
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    await consumer.disconnect();
    expect(received).toEqual([{ key: '9991000216', value: 'hello', offset: '0' }]);
  });
});
