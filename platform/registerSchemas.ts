/**
 * Registers every schema the project writes, at start-up, under its TopicRecordNameStrategy
 * subject, and sees that each subject is held to the project's compatibility level: a subject
 * of its own level keeps it (only an admin changes levels), one without gets the project's level
 * when the registry's global level is weaker and the caller may set it. A subject left weaker
 * than the project's level is reported (`weakened`), not changed. A schema change the registry
 * refuses stops start-up with a message naming the subject and the field. I/O.
 */
import type { AvroRecord } from '../schemas/avroJson.js';
import { eventSchemas, recordSchemas } from '../schemas/generated/avroSchemas.js';
import { type ClinicalEventType, clinicalEventTypes } from '../schemas/generated/events.js';
import { subjectFor, type TopicNames } from '../schemas/topics.js';
import {
  type CompatibilityLevel,
  globalCompatibility,
  latestSchemaOf,
  type RegistryHandle,
  registerAvroSchema,
  SchemaRegistryError,
  setSubjectCompatibility,
  subjectCompatibility,
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

/** A project subject held to a weaker level than the project's. */
export type WeakenedSubject = {
  readonly subject: string;
  readonly level: CompatibilityLevel;
  /** The subject's own level (an admin set it), else the registry's global level, which the caller may not override. */
  readonly own: boolean;
};

export type RegisteredSchemas = {
  readonly bySubject: ReadonlyMap<string, number>;
  /** Subjects whose effective level is weaker than the project's, for a warning at start. */
  readonly weakened: readonly WeakenedSubject[];
  readonly byEventType: ReadonlyMap<ClinicalEventType, number>;
  /** Ids of the non-event records (RawReceipt, RejectedInput, DeadLetter, AccessRecord) by record name. */
  readonly byRecordName: ReadonlyMap<string, number>;
};

/** Which directions and how far back a level checks. Pure. */
function reachOf(level: CompatibilityLevel): { backward: boolean; forward: boolean; transitive: boolean } {
  return {
    backward: level.startsWith('BACKWARD') || level.startsWith('FULL'),
    forward: level.startsWith('FORWARD') || level.startsWith('FULL'),
    transitive: level.endsWith('_TRANSITIVE'),
  };
}

/** Whether `level` checks at least what `required` checks (FULL_TRANSITIVE covers every level, NONE none but NONE). Pure. */
export function coversCompatibility(level: CompatibilityLevel, required: CompatibilityLevel): boolean {
  const have = reachOf(level);
  const need = reachOf(required);
  return (!need.backward || have.backward) && (!need.forward || have.forward) && (!need.transitive || have.transitive);
}

/** The warning for a weakened subject, naming it, its level and who lowered it. Pure. */
export function describeWeakened(weakened: WeakenedSubject, required: CompatibilityLevel): string {
  return weakened.own
    ? `Schema registry: subject ${weakened.subject} is at ${weakened.level}, weaker than ${required}; an admin lowered it`
    : `Schema registry: subject ${weakened.subject} follows the global level ${weakened.level}, weaker than ${required}, and this principal may not set the subject's level; an admin should set ${required} on it (PUT /config/{subject})`;
}

/** Leaves a subject at the project's level if it can; says when it is weaker. */
async function holdToLevel(
  registry: RegistryHandle,
  subject: string,
  required: CompatibilityLevel,
): Promise<WeakenedSubject | undefined> {
  const own = await subjectCompatibility(registry, subject);
  if (own !== undefined) return coversCompatibility(own, required) ? undefined : { subject, level: own, own: true };
  const global = await globalCompatibility(registry);
  if (coversCompatibility(global, required)) return undefined;
  try {
    await setSubjectCompatibility(registry, subject, required);
    return undefined;
  } catch (error) {
    if (error instanceof SchemaRegistryError && error.status === 403) return { subject, level: global, own: false };
    throw error;
  }
}

/**
 * Holds each subject to the compatibility level (holdToLevel), then registers its schema (a
 * no-op when the same schema is already registered). On a 409, `explain` compares with the
 * registered schema to name the offending fields.
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
  const weakened: WeakenedSubject[] = [];
  for (const { subject, schema, eventType } of registrations) {
    const weaker = await holdToLevel(registry, subject, compatibility);
    if (weaker !== undefined) weakened.push(weaker);
    let id: number;
    try {
      id = await registerAvroSchema(registry, subject, schema);
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
  return { bySubject, byEventType, byRecordName, weakened };
}
