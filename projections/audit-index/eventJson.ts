/**
 * A clinical event as plain JSON (instants as ISO strings), as the audit index stores it in
 * `payload`, and back: the event's Avro schema says which fields are instants, and the revived
 * value is checked against that schema, so stored JSON becomes a `ClinicalEvent` only when it
 * is one. Pure.
 */
import avro from 'avsc';
import { err, ok, type Result } from '../../core/result.js';
import { avroTypeOptions } from '../../schemas/avroLogicalTypes.js';
import { eventSchemas } from '../../schemas/generated/avroSchemas.js';
import { type ClinicalEvent, type ClinicalEventType, clinicalEventTypes } from '../../schemas/generated/events.js';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export type EventJsonError =
  | { readonly kind: 'not-an-object' }
  | { readonly kind: 'unknown-event-type'; readonly type: string }
  /** The JSON does not fit the event type's schema; `paths` are the failing fields (`source.messageId`). */
  | { readonly kind: 'not-the-schema'; readonly type: ClinicalEventType; readonly paths: readonly string[] };

/** The event as JSON: Dates become `toISOString()` strings, everything else is already JSON. */
export function eventToJson(event: ClinicalEvent): JsonObject {
  return toJson(event) as JsonObject;
}

function toJson(value: unknown): Json {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  // Events hold only strings, booleans, null, arrays, records and instants (the schema says so).
  return value as Json;
}

const eventTypes = new Map(
  clinicalEventTypes.map((type) => [type, avro.Type.forSchema(eventSchemas[type] as avro.Schema, avroTypeOptions())]),
);

/** The event this JSON holds (as `eventToJson` wrote it), or why it is not one. */
export function eventFromJson(json: unknown): Result<ClinicalEvent, EventJsonError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return err({ kind: 'not-an-object' });
  const type = (json as { type?: unknown }).type;
  const avroType = typeof type === 'string' ? eventTypes.get(type as ClinicalEventType) : undefined;
  if (avroType === undefined) return err({ kind: 'unknown-event-type', type: String(type) });
  const eventType = type as ClinicalEventType;
  // `type` is the record name, not an Avro field: it is put back after the schema's fields.
  const revived = { type: eventType, ...(revive(avroType, json) as object) };
  const paths: string[] = [];
  avroType.isValid(revived, { errorHook: (path) => paths.push(path.join('.')) });
  return paths.length === 0 ? ok(revived as ClinicalEvent) : err({ kind: 'not-the-schema', type: eventType, paths });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Walks the value along its Avro type, turning ISO strings at timestamp-millis fields into Dates. */
function revive(type: avro.Type, value: unknown): unknown {
  if (type instanceof avro.types.LogicalType) {
    return type.typeName === 'logical:timestamp-millis' && typeof value === 'string' && ISO_INSTANT.test(value)
      ? new Date(value)
      : value;
  }
  if (type instanceof avro.types.RecordType) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const fields = value as Record<string, unknown>;
    return Object.fromEntries(type.fields.map((f) => [f.name, revive(f.type, fields[f.name])]));
  }
  if (type instanceof avro.types.ArrayType)
    return Array.isArray(value) ? value.map((v) => revive(type.itemsType, v)) : value;
  if (type instanceof avro.types.UnwrappedUnionType) {
    if (value === null) return null;
    // The first branch the revived value is valid for (unions here are [null, X]).
    for (const branch of type.types) {
      const candidate = revive(branch, value);
      if (branch.isValid(candidate)) return candidate;
    }
    return value;
  }
  return value;
}
