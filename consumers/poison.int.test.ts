/**
 * Poison records on the canonical topic: one that is not Avro at all and one written with a
 * schema id the registry does not know. Both land in the dead-letter table (and topic), the
 * partition keeps moving, and the counts reconcile: applied + dead-lettered = records.
 */
import { ensureTopics } from '../platform/ensureTopics.js';
import { createEventCodec, frame } from '../platform/eventCodec.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createLogger } from '../platform/logger.js';
import { createPool } from '../platform/postgres.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { runMigrations } from '../platform/runMigrations.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { topicNames, topicSpecs } from '../schemas/topics.js';
import { describe, expect } from '../test/support/fixtures.js';
import { kafkaConnectionFor } from '../test/support/testKafka.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { patientEvents } from '../test/support/viewWorkload.js';
import { createDeadLetterPublisher } from './deadLetterPublisher.js';
import { listDeadLetters } from './deadLetters.js';
import { redriveDeadLetter } from './redriveDeadLetter.js';
import { createViewConsumer } from './runViewConsumer.js';
import { liveViews } from './views.js';

describe('poison records', () => {
  test('an undecodable record and an unknown schema id are dead-lettered; the partition moves on', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    await runMigrations(databaseUrl);
    const namespace = uniqueName('poison');
    const topics = topicNames(namespace);
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: 'poison-test',
    });
    await ensureTopics(kafka, topicSpecs({ namespace, partitions: 1, brokerCount: 1 }));
    const registry = createRegistry(new URL(registryUrl));
    const schemas = await registerSchemas(registry, projectSchemaRegistrations(topics));
    const codec = createEventCodec(registry, schemas.byEventType);
    const good = [...patientEvents(1), ...patientEvents(2)];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.canonical,
      acks: -1,
      messages: [
        ...good.slice(0, 4).map((e) => ({ key: e.patient.nhsNumber, value: codec.encode(e) })),
        { key: 'x', value: Buffer.from('this is not an Avro record') },
        { key: 'y', value: frame(987_654, Buffer.from([2, 4, 6])) },
        ...good.slice(4).map((e) => ({ key: e.patient.nhsNumber, value: codec.encode(e) })),
      ],
    });
    await producer.disconnect();

    const pool = createPool(databaseUrl, { max: 3 });
    const deadLetters = createDeadLetterPublisher(
      kafka,
      createRecordCodec(registry, schemas.byRecordName),
      topics['dead-letter'],
      () => new Date(),
    );
    const consumer = createViewConsumer({
      kafka,
      pool,
      view: liveViews['gp-view'],
      topic: topics.canonical,
      codec,
      groupId: uniqueName('poison-group'),
      logger: createLogger('silent'),
      publishDeadLetters: (records) => deadLetters.publish(records),
    });
    try {
      await consumer.start();
      const total = good.length + 2;
      await expect
        .poll(
          async () =>
            (
              await pool.query<{ n: string }>('SELECT next_offset AS n FROM view_stored_offsets WHERE view = $1', [
                'gp-view',
              ])
            ).rows[0]?.n,
          {
            timeout: 30_000,
          },
        )
        .toBe(String(total));
      const dead = await listDeadLetters(pool, 'gp-view');
      expect(dead.map((d) => [String(d.offset), d.errorCode])).toEqual([
        ['4', 'CEL_ERR_UNDECODABLE'],
        ['5', 'CEL_ERR_UNKNOWN_SCHEMA_ID'],
      ]);
      const processed = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM view_processed_events WHERE view = $1',
        ['gp-view'],
      );
      expect((processed.rows[0]?.n ?? 0) + dead.length).toBe(total);

      // Re-driving a record that still cannot be decoded leaves it dead, and says why.
      const [first] = dead;
      if (first === undefined) throw new Error('no dead letter');
      expect(await redriveDeadLetter(pool, liveViews['gp-view'], codec, first.id)).toMatchObject({
        kind: 'still-failing',
      });

      const admin = kafka.admin();
      await admin.connect();
      const dlOffsets = await admin.fetchTopicOffsets(topics['dead-letter']);
      await admin.disconnect();
      expect(dlOffsets.reduce((n, p) => n + Number(p.high), 0)).toBe(2);
    } finally {
      await consumer.stop();
      await deadLetters.close();
      await pool.end();
    }
  });
});
