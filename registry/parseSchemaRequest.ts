/**
 * Reads the body of a register, lookup or compatibility request (`{schema, schemaType?,
 * references?}`) into a normalized Avro schema, or the Confluent problem to answer. Pure.
 */
import { err, ok, type Result } from '../core/result.js';
import { type NormalizedAvroSchema, normalizeAvroSchema } from './normalizeAvroSchema.js';
import type { RegistryProblem } from './registryErrors.js';

/** The only schema type this registry holds; `GET /schemas/types` lists it. */
export const SCHEMA_TYPES = ['AVRO'] as const;

export function parseSchemaRequest(body: unknown): Result<NormalizedAvroSchema, RegistryProblem> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return err({ kind: 'invalid-schema', reason: 'the request body must be a JSON object with a "schema" string' });
  }
  const { schema, schemaType, references } = body as Record<string, unknown>;
  if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
    return err({
      kind: 'invalid-schema',
      reason: `schema type ${JSON.stringify(schemaType)} is not supported by this registry; it holds AVRO schemas only`,
    });
  }
  if (references !== undefined && references !== null && !(Array.isArray(references) && references.length === 0)) {
    return err({
      kind: 'invalid-schema',
      reason: 'schema references are not supported by this registry; register the schema with its types inlined',
    });
  }
  if (typeof schema !== 'string' || schema.trim() === '') {
    return err({ kind: 'invalid-schema', reason: 'the request has no "schema" string' });
  }
  const normalized = normalizeAvroSchema(schema);
  if (!normalized.ok) return err({ kind: 'invalid-schema', reason: normalized.error.reason });
  return ok(normalized.value);
}
