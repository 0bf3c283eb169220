/**
 * The wire format and the Avro round trip of every event type, with the registry replaced by
 * a map of schema ids to types (the integration test uses the real registry and broker).
 */
import avro from 'avsc';
import { describe, expect, test } from 'vitest';
import { avroTypeOptions } from '../schemas/avroLogicalTypes.js';
import { eventSchemas } from '../schemas/generated/avroSchemas.js';
import { type ClinicalEventType, clinicalEventTypes } from '../schemas/generated/events.js';
import { exampleEvents } from '../test/support/exampleEvents.js';
import { createEventCodec, frame, schemaIdOf, UndecodableRecordError, UnknownEventTypeError } from './eventCodec.js';
import type { RegistryHandle } from './schemaRegistry.js';

function inMemoryRegistry(types: ReadonlyMap<number, object>): RegistryHandle {
  const client = {
    getSchema: async (id: number) => {
      const schema = types.get(id);
      if (schema === undefined) throw Object.assign(new Error(`no schema ${id}`), { status: 404 });
      return avro.Type.forSchema(schema as avro.Schema, avroTypeOptions());
    },
  };
  return { url: new URL('http://registry.invalid'), client: client as unknown as RegistryHandle['client'] };
}

const ids = new Map<ClinicalEventType, number>(clinicalEventTypes.map((t, i) => [t, 100 + i]));
const registry = inMemoryRegistry(new Map(clinicalEventTypes.map((t) => [ids.get(t) ?? 0, eventSchemas[t]])));

describe('wire format', () => {
  test('magic byte 0 and a big-endian 4-byte schema id precede the Avro body', () => {
    const framed = frame(0x01020304, Buffer.from([9, 9]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 9, 9]);
    expect(schemaIdOf(framed)).toBe(0x01020304);
  });

  test.each([
    { name: 'too short', bytes: [0, 1, 2] },
    { name: 'wrong magic byte', bytes: [1, 0, 0, 0, 1, 2] },
  ])('$name is undecodable', ({ bytes }) => {
    expect(() => schemaIdOf(Buffer.from(bytes))).toThrow(UndecodableRecordError);
  });
});

describe('event codec', () => {
  const codec = createEventCodec(registry, ids);

  test.each(clinicalEventTypes.map((type) => ({ type })))(
    '$type round-trips with every field intact',
    async ({ type }) => {
      const event = exampleEvents[type];
      const encoded = codec.encode(event);
      expect(schemaIdOf(encoded)).toBe(ids.get(type));
      expect(await codec.decode(encoded)).toEqual(event);
    },
  );

  test('timestamps come back as the same instants', async () => {
    const decoded = await codec.decode(codec.encode(exampleEvents.PatientDischarged));
    expect(decoded.occurredAt).toBeInstanceOf(Date);
    expect(decoded.occurredAt.toISOString()).toBe('2026-03-02T14:30:00.000Z');
  });

  test('a corrupt body is undecodable, not a crash', async () => {
    const encoded = codec.encode(exampleEvents.DiagnosisRecorded);
    await expect(codec.decode(encoded.subarray(0, 12))).rejects.toBeInstanceOf(UndecodableRecordError);
  });

  test('a registered record that is not a clinical event is refused by name', async () => {
    const other = inMemoryRegistry(new Map([[7, { type: 'record', name: 'x.Other', fields: [] }]]));
    await expect(createEventCodec(other, ids).decode(frame(7, Buffer.alloc(0)))).rejects.toBeInstanceOf(
      UnknownEventTypeError,
    );
  });
});

describe('schema evolution', () => {
  const v1 = eventSchemas.PatientDischarged;
  const v2 = {
    ...v1,
    fields: [...v1.fields, { name: 'wardCode', type: ['null', 'string'], default: null, doc: 'Ward, when sent.' }],
  };

  test('data written with a v2 that adds an optional field decodes with the v1 reader, and v1 data with v2', async () => {
    const writerV2 = avro.Type.forSchema(v2 as avro.Schema, avroTypeOptions());
    const { type: _t, ...payload } = exampleEvents.PatientDischarged;
    const v2Bytes = frame(900, writerV2.toBuffer({ ...payload, wardCode: 'W7' }));
    const codec = createEventCodec(inMemoryRegistry(new Map([[900, v2]])), ids);
    expect(await codec.decode(v2Bytes)).toEqual(exampleEvents.PatientDischarged);

    const readerV2 = avro.Type.forSchema(v2 as avro.Schema, avroTypeOptions());
    const writerV1 = avro.Type.forSchema(v1 as avro.Schema, avroTypeOptions());
    const decoded = readerV2.fromBuffer(writerV1.toBuffer(payload), readerV2.createResolver(writerV1)) as {
      wardCode: unknown;
    };
    expect(decoded.wardCode).toBeNull();
  });
});
