/**
 * Confluent wire format for the records that are not clinical events: raw receipts,
 * rejected inputs, dead letters and access records. Same framing as the event codec. I/O (registry lookups
 * when decoding), cached per schema id.
 */
import avro from 'avsc';
import { avroTypeOptions } from '../schemas/avroLogicalTypes.js';
import { recordSchemas } from '../schemas/generated/avroSchemas.js';
import type { AccessRecord, DeadLetter, RawReceipt, RejectedInput } from '../schemas/generated/events.js';
import { frame, schemaIdOf, UndecodableRecordError } from './eventCodec.js';
import { type RegistryHandle, writerTypeOf } from './schemaRegistry.js';

export type OperationalRecords = {
  readonly RawReceipt: RawReceipt;
  readonly RejectedInput: RejectedInput;
  readonly DeadLetter: DeadLetter;
  readonly AccessRecord: AccessRecord;
};
export type OperationalRecordName = keyof OperationalRecords;
export type DecodedRecord = {
  [K in OperationalRecordName]: { readonly kind: K; readonly value: OperationalRecords[K] };
}[OperationalRecordName];

export type RecordCodec = {
  encode<K extends OperationalRecordName>(kind: K, value: OperationalRecords[K]): Buffer;
  decode(value: Buffer): Promise<DecodedRecord>;
};

const names: readonly OperationalRecordName[] = ['RawReceipt', 'RejectedInput', 'DeadLetter', 'AccessRecord'];

export function createRecordCodec(registry: RegistryHandle, schemaIds: ReadonlyMap<string, number>): RecordCodec {
  const types = new Map(names.map((n) => [n, avro.Type.forSchema(recordSchemas[n] as avro.Schema, avroTypeOptions())]));
  const resolvers = new Map<
    number,
    { kind: OperationalRecordName; reader: avro.Type; resolver: avro.Resolver | undefined }
  >();
  return {
    encode(kind, value) {
      const id = schemaIds.get(kind);
      const type = types.get(kind);
      if (id === undefined || type === undefined)
        throw new Error(`${kind} is not registered; call registerSchemas at start-up`);
      return frame(id, type.toBuffer(value));
    },
    async decode(value) {
      const id = schemaIdOf(value);
      let entry = resolvers.get(id);
      if (entry === undefined) {
        const writer = await writerTypeOf(registry, id);
        const kind = names.find((n) => (writer.name ?? '').endsWith(`.${n}`));
        if (kind === undefined)
          throw new UndecodableRecordError(`schema id ${id} (${writer.name}) is not an operational record`);
        const reader = types.get(kind) as avro.Type;
        entry = { kind, reader, resolver: reader.equals(writer) ? undefined : reader.createResolver(writer) };
        resolvers.set(id, entry);
      }
      try {
        return { kind: entry.kind, value: entry.reader.fromBuffer(value.subarray(5), entry.resolver) } as DecodedRecord;
      } catch (error) {
        throw new UndecodableRecordError(`the Avro body of a ${entry.kind} record does not decode`, { cause: error });
      }
    },
  };
}
