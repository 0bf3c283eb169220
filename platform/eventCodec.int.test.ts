/**
 * Every event type through the real broker and the real registry (the embedded one, or the
 * one at SCHEMA_REGISTRY_URL), and schema evolution as the registry enforces it.
 */

import { checkCompatibility } from '../registry/checkCompatibility.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import type { AvroRecord } from '../schemas/avroJson.js';
import { eventSchemas } from '../schemas/generated/avroSchemas.js';
import { type ClinicalEvent, clinicalEventTypes } from '../schemas/generated/events.js';
import { recordHeaders, subjectFor, topicNames, topicSpecs } from '../schemas/topics.js';
import { exampleEvents } from '../test/support/exampleEvents.js';
import { describe, expect } from '../test/support/fixtures.js';
import { kafkaConnectionFor } from '../test/support/testKafka.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { ensureTopics } from './ensureTopics.js';
import { createEventCodec } from './eventCodec.js';
import { createKafkaClient } from './kafka.js';
import {
  PROJECT_COMPATIBILITY,
  projectSchemaRegistrations,
  registerSchemas,
  SchemaIncompatibleError,
} from './registerSchemas.js';
import { createRegistry, registerAvroSchema, SchemaRegistryError, setSubjectCompatibility } from './schemaRegistry.js';

const explain = (registered: string, proposed: AvroRecord) =>
  checkCompatibility(PROJECT_COMPATIBILITY, JSON.stringify(proposed), [{ version: 1, schema: registered }]).messages;

describe('events through the real broker and registry', () => {
  test('every event type round-trips, keyed by NHS number, with its headers', async ({ registryUrl, kafkaBrokers }) => {
    const registry = createRegistry(new URL(registryUrl));
    const names = topicNames(uniqueName('ns'));
    const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(names), { explain });
    expect([...byEventType.keys()].sort()).toEqual([...clinicalEventTypes].sort());
    const codec = createEventCodec(registry, byEventType);

    const kafka = createKafkaClient({ ...(await kafkaConnectionFor(kafkaBrokers)).connection, clientId: 'codec-test' });
    await ensureTopics(
      kafka,
      topicSpecs({ namespace: names.canonical.split('.')[0] ?? 'x', partitions: 3, brokerCount: 1 }).filter(
        (s) => s.role === 'canonical',
      ),
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const events = clinicalEventTypes.map((t) => exampleEvents[t]);
    await producer.send({
      topic: names.canonical,
      acks: -1,
      messages: events.map((event) => ({
        key: event.patient.nhsNumber,
        value: codec.encode(event),
        headers: {
          [recordHeaders.eventType]: event.type,
          [recordHeaders.eventId]: event.eventId,
          [recordHeaders.correlationId]: event.correlationId,
        },
      })),
    });
    await producer.disconnect();

    const received: { key: string; eventType: string; event: ClinicalEvent; viaClient: unknown }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('codec') });
    await consumer.connect();
    await consumer.subscribe({ topic: names.canonical, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value === null) return;
        received.push({
          key: message.key?.toString() ?? '',
          eventType: message.headers?.[recordHeaders.eventType]?.toString() ?? '',
          event: await codec.decode(message.value),
          // The same bytes through the registry client's own decoder: the wire format is the standard one.
          viaClient: await registry.client.decode(message.value),
        });
      },
    });
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(events.length);
    await consumer.disconnect();

    for (const event of events) {
      const got = received.find((r) => r.event.eventId === event.eventId && r.event.type === event.type);
      expect(got?.event).toEqual(event);
      expect(got?.key).toBe(event.patient.nhsNumber);
      expect(got?.eventType).toBe(event.type);
      const { type: _type, ...payload } = event;
      expect(got?.viaClient).toEqual(payload);
    }
  });

  test('registering the project schemas again is a no-op with the same ids', async ({ registryUrl }) => {
    const registry = createRegistry(new URL(registryUrl));
    const registrations = projectSchemaRegistrations(topicNames(uniqueName('ns')));
    const first = await registerSchemas(registry, registrations, { explain });
    const second = await registerSchemas(createRegistry(new URL(registryUrl)), registrations, { explain });
    expect(second.bySubject).toEqual(first.bySubject);
    expect(new Set(first.bySubject.values()).size).toBe(registrations.length);
  });
});

describe('schema evolution under FULL_TRANSITIVE', () => {
  const v1 = eventSchemas.PatientDischarged;
  const v2: AvroRecord = {
    ...v1,
    fields: [...v1.fields, { name: 'wardCode', type: ['null', 'string'], default: null, doc: 'Ward, when sent.' }],
  };

  test('a v2 adding an optional field registers, and v1 and v2 readers decode both', async ({
    registryUrl,
    adminRegistryUrl,
  }) => {
    const registry = createRegistry(new URL(registryUrl));
    const subject = subjectFor(uniqueName('topic'), 'clinicaleventlog.events.PatientDischarged');
    // Setting a level is an admin's; the project's service principal only registers.
    await setSubjectCompatibility(createRegistry(new URL(adminRegistryUrl)), subject, 'FULL_TRANSITIVE');
    const v1Id = await registerAvroSchema(registry, subject, v1);
    const v2Id = await registerAvroSchema(registry, subject, v2);
    expect(v2Id).not.toBe(v1Id);

    const { type: _type, ...payload } = exampleEvents.PatientDischarged;
    const writtenV1 = await registry.client.encode(v1Id, payload);
    const writtenV2 = await registry.client.encode(v2Id, { ...payload, wardCode: 'W7' });

    // The v1 reader: the project's codec, whose reader schema is v1.
    const codec = createEventCodec(registry, new Map([['PatientDischarged', v1Id]]));
    expect(await codec.decode(writtenV1)).toEqual(exampleEvents.PatientDischarged);
    expect(await codec.decode(writtenV2)).toEqual(exampleEvents.PatientDischarged);

    // A v2 reader (what a newer consumer would be), through the registry client.
    const asV2 = { AVRO: { readerSchema: v2 as never } };
    expect(await registry.client.decode(writtenV1, asV2)).toMatchObject({ wardCode: null, visitId: 'V20260301001' });
    expect(await registry.client.decode(writtenV2, asV2)).toMatchObject({ wardCode: 'W7', visitId: 'V20260301001' });
  });

  test.for([
    {
      name: 'removing a field without a default',
      change: (s: AvroRecord): AvroRecord => ({ ...s, fields: s.fields.filter((f) => f.name !== 'visitId') }),
      field: 'visitId',
    },
    {
      name: 'changing a field type',
      change: (s: AvroRecord): AvroRecord => ({
        ...s,
        fields: s.fields.map((f) => (f.name === 'visitId' ? { ...f, type: 'int' } : f)),
      }),
      field: 'visitId',
    },
  ])('$name is refused with 409, and start-up names the field', async ({ change, field }, { registryUrl }) => {
    const registry = createRegistry(new URL(registryUrl));
    const subject = subjectFor(uniqueName('topic'), 'clinicaleventlog.events.PatientDischarged');
    await registerSchemas(registry, [{ subject, schema: v1 }], { explain });

    const refused = registerAvroSchema(registry, subject, change(v1));
    await expect(refused).rejects.toBeInstanceOf(SchemaRegistryError);
    await expect(refused).rejects.toMatchObject({ status: 409 });

    const startUp = registerSchemas(registry, [{ subject, schema: change(v1) }], { explain });
    await expect(startUp).rejects.toBeInstanceOf(SchemaIncompatibleError);
    await expect(startUp).rejects.toThrow(new RegExp(`'${field}'`));
  });
});
