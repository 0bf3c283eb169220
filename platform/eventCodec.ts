/**
 * Confluent wire format for the project's records: magic byte 0, a 4-byte big-endian schema
 * id, then Avro binary. Encoding goes through the registry client; decoding resolves the
 * writer schema (by id, cached) against our reader schema, so older and newer writers both
 * decode into the current types. I/O (registry lookups), cached per schema id.
 */
import avro from 'avsc';
import type { AvroRecord } from '../schemas/avroJson.js';
import { avroTypeOptions } from '../schemas/avroLogicalTypes.js';
import { eventSchemas } from '../schemas/generated/avroSchemas.js';
import { type ClinicalEvent, type ClinicalEventType, clinicalEventTypes } from '../schemas/generated/events.js';
import { type RegistryHandle, SchemaRegistryError, writerTypeOf } from './schemaRegistry.js';

export class UndecodableRecordError extends Error {
  readonly code = 'CEL_ERR_UNDECODABLE';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UndecodableRecordError';
  }
}

export class UnknownSchemaIdError extends Error {
  readonly code = 'CEL_ERR_UNKNOWN_SCHEMA_ID';
  readonly retriable = false;
  constructor(
    readonly schemaId: number,
    options?: ErrorOptions,
  ) {
    super(`schema id ${schemaId} is not in the registry; was the record written against another registry?`, options);
    this.name = 'UnknownSchemaIdError';
  }
}

export class UnknownEventTypeError extends Error {
  readonly code = 'CEL_ERR_UNKNOWN_EVENT_TYPE';
  readonly retriable = false;
  constructor(
    readonly recordName: string,
    readonly schemaId: number,
  ) {
    super(`schema id ${schemaId} is record ${recordName}, which is not a clinical event type this code knows`);
    this.name = 'UnknownEventTypeError';
  }
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** The schema id of a Confluent-framed value, or an error when the framing is wrong. */
export function schemaIdOf(value: Buffer): number {
  if (value.length < HEADER_BYTES)
    throw new UndecodableRecordError(`value of ${value.length} bytes is too short for the wire format`);
  if (value[0] !== MAGIC_BYTE)
    throw new UndecodableRecordError(`value starts with byte ${value[0]}, not the wire-format magic byte 0`);
  return value.readUInt32BE(1);
}

export function frame(schemaId: number, avroBytes: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, avroBytes]);
}

export type EventCodec = {
  /** The registry id each event type is written with. */
  readonly schemaIds: ReadonlyMap<ClinicalEventType, number>;
  encode(event: ClinicalEvent): Buffer;
  decode(value: Buffer): Promise<ClinicalEvent>;
};

const readerTypes = new Map<ClinicalEventType, avro.Type>();
function readerTypeOf(type: ClinicalEventType): avro.Type {
  let reader = readerTypes.get(type);
  if (reader === undefined) {
    reader = avro.Type.forSchema(eventSchemas[type] as avro.Schema, avroTypeOptions());
    readerTypes.set(type, reader);
  }
  return reader;
}

const isEventType = (name: string): name is ClinicalEventType =>
  (clinicalEventTypes as readonly string[]).includes(name);

/**
 * A codec for the event types registered under `schemaIds` (see registerSchemas). Encoding
 * is synchronous with the schema we registered; decoding accepts any registered version.
 */
export function createEventCodec(
  registry: RegistryHandle,
  schemaIds: ReadonlyMap<ClinicalEventType, number>,
): EventCodec {
  const resolvers = new Map<
    number,
    { type: ClinicalEventType; reader: avro.Type; resolver: avro.Resolver | undefined }
  >();

  async function resolverFor(schemaId: number) {
    const cached = resolvers.get(schemaId);
    if (cached !== undefined) return cached;
    let writer: avro.Type;
    try {
      writer = await writerTypeOf(registry, schemaId);
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 404)
        throw new UnknownSchemaIdError(schemaId, { cause: error });
      throw error;
    }
    const fullName = writer.name ?? '';
    const recordName = fullName.split('.').at(-1) ?? fullName;
    if (!isEventType(recordName)) throw new UnknownEventTypeError(fullName, schemaId);
    const reader = readerTypeOf(recordName);
    let resolver: avro.Resolver | undefined;
    if (!reader.equals(writer)) {
      try {
        resolver = reader.createResolver(writer);
      } catch (error) {
        throw new UndecodableRecordError(
          `schema id ${schemaId} (${fullName}) cannot be read as the current ${recordName}`,
          {
            cause: error,
          },
        );
      }
    }
    const entry = { type: recordName, reader, resolver };
    resolvers.set(schemaId, entry);
    return entry;
  }

  return {
    schemaIds,
    encode(event) {
      const schemaId = schemaIds.get(event.type);
      if (schemaId === undefined) throw new Error(`${event.type} is not registered; call registerSchemas at start-up`);
      const { type: _type, ...payload } = event;
      return frame(schemaId, readerTypeOf(event.type).toBuffer(payload));
    },
    async decode(value) {
      const { type, reader, resolver } = await resolverFor(schemaIdOf(value));
      try {
        const payload = reader.fromBuffer(value.subarray(HEADER_BYTES), resolver) as Omit<ClinicalEvent, 'type'>;
        return { type, ...payload } as ClinicalEvent;
      } catch (error) {
        throw new UndecodableRecordError(`the Avro body of a ${type} record does not decode`, { cause: error });
      }
    },
  };
}

/** The schemas the codec writes, for registration. */
export function eventSchemaOf(type: ClinicalEventType): AvroRecord {
  return eventSchemas[type];
}
