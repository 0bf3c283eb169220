/**
 * Registers every schema the project writes, at start-up, under its TopicRecordNameStrategy
 * subject with the project's compatibility level. A schema change the registry refuses stops
 * start-up with a message naming the subject and the field. I/O.
 */
import type { AvroRecord } from '../schemas/avroJson.js';
import { eventSchemas, recordSchemas } from '../schemas/generated/avroSchemas.js';
import { type ClinicalEventType, clinicalEventTypes } from '../schemas/generated/events.js';
import { subjectFor, type TopicNames } from '../schemas/topics.js';
import {
  type CompatibilityLevel,
  latestSchemaOf,
  type RegistryHandle,
  registerAvroSchema,
  SchemaRegistryError,
  setSubjectCompatibility,
} from './schemaRegistry.js';

/** FULL_TRANSITIVE: every version can read, and be read by, every other — old consumers and replays keep working. */
export const PROJECT_COMPATIBILITY: CompatibilityLevel = 'FULL_TRANSITIVE';

export type SchemaRegistration = {
  readonly subject: string;
  readonly schema: AvroRecord;
  readonly eventType?: ClinicalEventType;
};

export function projectSchemaRegistrations(topics: TopicNames): readonly SchemaRegistration[] {
  const fullName = (schema: AvroRecord) => `${schema.namespace}.${schema.name}`;
  return [
    ...clinicalEventTypes.map((eventType) => ({
      subject: subjectFor(topics.canonical, fullName(eventSchemas[eventType])),
      schema: eventSchemas[eventType],
      eventType,
    })),
    { subject: subjectFor(topics.raw, fullName(recordSchemas.RawReceipt)), schema: recordSchemas.RawReceipt },
    {
      subject: subjectFor(topics.rejected, fullName(recordSchemas.RejectedInput)),
      schema: recordSchemas.RejectedInput,
    },
    {
      subject: subjectFor(topics['dead-letter'], fullName(recordSchemas.DeadLetter)),
      schema: recordSchemas.DeadLetter,
    },
    { subject: subjectFor(topics.access, fullName(recordSchemas.AccessRecord)), schema: recordSchemas.AccessRecord },
  ];
}

export class SchemaIncompatibleError extends Error {
  readonly code = 'CEL_ERR_SCHEMA_INCOMPATIBLE';
  readonly retriable = false;
  constructor(
    readonly subject: string,
    readonly reasons: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `the registry refuses the schema for ${subject} as incompatible (${PROJECT_COMPATIBILITY}) with what is registered:\n` +
        `${reasons.map((r) => `  - ${r}`).join('\n')}\n` +
        'make the change compatible (add fields with defaults; never remove or retype a field), or publish a new event type',
      options,
    );
    this.name = 'SchemaIncompatibleError';
  }
}

export type ExplainIncompatibility = (registered: string, proposed: AvroRecord) => readonly string[];

export type RegisteredSchemas = {
  readonly bySubject: ReadonlyMap<string, number>;
  readonly byEventType: ReadonlyMap<ClinicalEventType, number>;
  /** Ids of the non-event records (RawReceipt, RejectedInput, DeadLetter, AccessRecord) by record name. */
  readonly byRecordName: ReadonlyMap<string, number>;
};

/**
 * Sets each subject's compatibility level, then registers its schema (a no-op when the same
 * schema is already registered). On a 409, `explain` compares with the registered schema to
 * name the offending fields.
 */
export async function registerSchemas(
  registry: RegistryHandle,
  registrations: readonly SchemaRegistration[],
  options: { readonly compatibility?: CompatibilityLevel; readonly explain?: ExplainIncompatibility } = {},
): Promise<RegisteredSchemas> {
  const compatibility = options.compatibility ?? PROJECT_COMPATIBILITY;
  const bySubject = new Map<string, number>();
  const byEventType = new Map<ClinicalEventType, number>();
  const byRecordName = new Map<string, number>();
  for (const { subject, schema, eventType } of registrations) {
    await setSubjectCompatibility(registry, subject, compatibility);
    let id: number;
    try {
      id = await registerAvroSchema(registry, subject, schema, compatibility);
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 409) {
        const registered = await latestSchemaOf(registry, subject);
        const reasons = registered !== undefined && options.explain ? options.explain(registered, schema) : [];
        throw new SchemaIncompatibleError(subject, reasons.length > 0 ? reasons : [error.message], { cause: error });
      }
      throw error;
    }
    bySubject.set(subject, id);
    if (eventType !== undefined) byEventType.set(eventType, id);
    else byRecordName.set(schema.name, id);
  }
  return { bySubject, byEventType, byRecordName };
}
