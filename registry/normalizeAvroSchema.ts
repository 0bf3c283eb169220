/**
 * Validates an Avro schema text with avsc and rewrites it in the registry's normalized form,
 * the text that identifies a schema (same normalized form, same id). Pure; never throws.
 *
 * The rule: whitespace and key order do not matter; names are written fully qualified (the
 * `namespace` key is folded into `name`); a primitive without attributes is a bare string;
 * `order: "ascending"` (the default) is dropped. Everything else that Avro keeps is kept: doc,
 * aliases, defaults, order, logicalType and its parameters, and custom attributes. Keys come
 * in a fixed order, custom attributes and the inside of default values sorted by key.
 */
import { createHash } from 'node:crypto';
import avro from 'avsc';
import { err, ok, type Result } from '../core/result.js';

export type NormalizedAvroSchema = {
  /** Compact JSON in the normalized form; what the registry stores and returns. */
  readonly normalized: string;
  /** sha256 of `normalized`, hex. */
  readonly fingerprint: string;
};

export type InvalidAvroSchema = {
  readonly kind: 'not-json' | 'not-avro';
  /** What is wrong, in avsc's words, for the 42201 message. */
  readonly reason: string;
};

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

const PRIMITIVES: ReadonlySet<string> = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);

/** Keys written first, in this order, for each kind of schema object; others follow sorted. */
const KEY_ORDER = {
  named: ['type', 'name', 'namespace', 'doc', 'aliases', 'fields', 'symbols', 'default', 'size'],
  field: ['name', 'type', 'doc', 'default', 'order', 'aliases'],
  other: ['type', 'items', 'values', 'logicalType', 'precision', 'scale'],
} as const;

export function normalizeAvroSchema(text: string): Result<NormalizedAvroSchema, InvalidAvroSchema> {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    return err({ kind: 'not-json', reason: `not JSON: ${messageOf(error)}` });
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(parsed as avro.Schema, { noAnonymousTypes: true });
  } catch (error) {
    return err({ kind: 'not-avro', reason: messageOf(error) });
  }
  const normalized = JSON.stringify(normalizeSchema(parsed, { namespace: '', defined: new Set() }));
  // The normalized text must describe the very same type; a difference would be a bug here,
  // and refusing the schema is safer than giving it an id that means something else.
  if (!sameCanonicalForm(type, normalized)) {
    return err({ kind: 'not-avro', reason: 'the schema uses a construct the registry cannot normalize' });
  }
  return ok({ normalized, fingerprint: createHash('sha256').update(normalized, 'utf8').digest('hex') });
}

type Scope = { readonly namespace: string; readonly defined: Set<string> };

function normalizeSchema(schema: Json, scope: Scope): Json {
  if (typeof schema === 'string') return PRIMITIVES.has(schema) ? schema : resolveName(schema, scope);
  if (Array.isArray(schema)) return schema.map((branch) => normalizeSchema(branch, scope));
  if (!isObject(schema)) return schema;
  const type = schema.type;
  if (typeof type === 'string' && PRIMITIVES.has(type)) {
    return Object.keys(schema).length === 1 ? type : ordered(schema, KEY_ORDER.other, {});
  }
  switch (type) {
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed':
      return normalizeNamed(schema, scope);
    case 'array':
      return ordered(schema, KEY_ORDER.other, { items: normalizeSchema(schema.items ?? null, scope) });
    case 'map':
      return ordered(schema, KEY_ORDER.other, { values: normalizeSchema(schema.values ?? null, scope) });
    default:
      // `{"type": <schema>}` wrapping another schema (a reference or a nested object).
      return ordered(schema, KEY_ORDER.other, { type: normalizeSchema(type ?? null, scope) });
  }
}

function normalizeNamed(schema: JsonObject, scope: Scope): Json {
  const name = typeof schema.name === 'string' ? schema.name : '';
  const namespace = typeof schema.namespace === 'string' ? schema.namespace : scope.namespace;
  const fullName = qualify(name, namespace);
  scope.defined.add(fullName);
  const inner: Scope = { namespace: namespaceOf(fullName), defined: scope.defined };
  const replaced: Record<string, Json> = { name: fullName };
  // A name outside any namespace, inside a namespaced type, must say so or it would be re-qualified.
  if (!fullName.includes('.') && scope.namespace !== '') replaced.namespace = '';
  if (Array.isArray(schema.aliases)) {
    replaced.aliases = schema.aliases.map((alias) =>
      typeof alias === 'string' ? qualify(alias, inner.namespace) : alias,
    );
  }
  if (Array.isArray(schema.fields)) {
    replaced.fields = schema.fields.map((field) => (isObject(field) ? normalizeField(field, inner) : field));
  }
  const { namespace: _folded, ...rest } = schema;
  return ordered(rest, KEY_ORDER.named, replaced);
}

function normalizeField(field: JsonObject, scope: Scope): Json {
  const { order, ...rest } = field;
  const kept = order === undefined || order === 'ascending' ? rest : field;
  return ordered(kept, KEY_ORDER.field, { type: normalizeSchema(field.type ?? null, scope) });
}

/**
 * The object with `replaced` values substituted, known keys first in `first` order, then the
 * remaining keys sorted; every other value (defaults, custom attributes) is key-sorted deeply.
 */
function ordered(source: JsonObject, first: readonly string[], replaced: Readonly<Record<string, Json>>): JsonObject {
  const merged: Record<string, Json> = { ...source, ...replaced };
  const keys = [
    ...first.filter((key) => key in merged),
    ...Object.keys(merged)
      .filter((key) => !first.includes(key))
      .sort(),
  ];
  const out: Record<string, Json> = {};
  for (const key of keys) {
    const value = merged[key];
    if (value === undefined) continue;
    out[key] = key in replaced ? value : sortKeysDeep(value);
  }
  return out;
}

function sortKeysDeep(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = value[key];
    if (inner !== undefined) out[key] = sortKeysDeep(inner);
  }
  return out;
}

/** A reference to a named type: qualified with the enclosing namespace when that type exists. */
function resolveName(name: string, scope: Scope): string {
  if (name.includes('.') || scope.namespace === '') return name;
  const qualified = `${scope.namespace}.${name}`;
  return scope.defined.has(qualified) || !scope.defined.has(name) ? qualified : name;
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

function sameCanonicalForm(type: avro.Type, normalized: string): boolean {
  try {
    const again = avro.Type.forSchema(JSON.parse(normalized) as avro.Schema, { noAnonymousTypes: true });
    return again.fingerprint('sha256').equals(type.fingerprint('sha256'));
  } catch {
    return false; // the caller refuses the schema, saying why
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
