/**
 * The Avro contract's own rules: generated artifacts match the sources (no drift), every
 * schema parses, every field is documented, every enum can grow, times are logical types,
 * and every event starts with the shared envelope.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, test } from 'vitest';
import { type AvroField, type AvroJson, isNamed, isObject } from './avroJson.js';
import { avroTypeOptions } from './avroLogicalTypes.js';
import { clinicalEventTypes } from './generated/events.js';
import { bundleSchemaSet, renderSchemaArtifacts, SCHEMAS_DIR } from './generateSchemaArtifacts.js';
import { readSchemaSources } from './schemaSources.js';

const sources = await readSchemaSources();
const bundled = bundleSchemaSet(sources);
if (!bundled.ok) throw new Error(`bundling failed: ${JSON.stringify(bundled.error)}`);
const all = [...bundled.value.events, ...bundled.value.records];

function* fieldsOf(type: AvroJson | unknown, path: string): Generator<{ path: string; field: AvroField }> {
  if (Array.isArray(type)) for (const t of type) yield* fieldsOf(t, path);
  else if (isNamed(type) && type.type === 'record') {
    for (const field of type.fields) {
      yield { path: `${path}.${field.name}`, field };
      yield* fieldsOf(field.type, `${path}.${field.name}`);
    }
  } else if (isObject(type) && type.type === 'array') yield* fieldsOf(type.items, path);
}

function* namedTypesOf(
  type: AvroJson | unknown,
): Generator<{ type: string; name: string; symbols?: readonly string[]; default?: string }> {
  if (Array.isArray(type)) for (const t of type) yield* namedTypesOf(t);
  else if (isNamed(type)) {
    yield type.type === 'enum'
      ? {
          type: 'enum',
          name: type.name,
          symbols: type.symbols,
          ...(type.default === undefined ? {} : { default: type.default }),
        }
      : { type: 'record', name: type.name };
    if (type.type === 'record') for (const f of type.fields) yield* namedTypesOf(f.type);
  } else if (isObject(type) && type.type === 'array') yield* namedTypesOf(type.items);
}

describe('the Avro contract', () => {
  test('the committed generated files equal a fresh render of the sources (run npm run schemas:generate)', async () => {
    const rendered = renderSchemaArtifacts(sources);
    expect(rendered.ok).toBe(true);
    if (!rendered.ok) return;
    for (const [path, content] of rendered.value) {
      expect(await readFile(join(SCHEMAS_DIR, path), 'utf8'), path).toBe(content);
    }
  });

  test('there is one schema per event type the issue names', () => {
    expect([...clinicalEventTypes].sort()).toEqual([
      'DiagnosisAmended',
      'DiagnosisRecorded',
      'DiagnosisRetracted',
      'DischargeCancelled',
      'MedicationOrderCancelled',
      'MedicationOrderDiscontinued',
      'MedicationOrdered',
      'PatientDischarged',
    ]);
  });

  test.each(all.map((s) => ({ name: s.name, schema: s })))('$name parses as Avro', ({ schema }) => {
    expect(() => avro.Type.forSchema(schema as avro.Schema, avroTypeOptions())).not.toThrow();
  });

  test.each(all.map((s) => ({ name: s.name, schema: s })))('$name: every field has a doc string', ({ schema }) => {
    const undocumented = [...fieldsOf(schema, schema.name)]
      .filter(({ field }) => !field.doc?.trim())
      .map((f) => f.path);
    expect(undocumented).toEqual([]);
  });

  test.each(all.map((s) => ({ name: s.name, schema: s })))('$name: every enum has a default symbol', ({ schema }) => {
    for (const named of namedTypesOf(schema)) {
      if (named.type !== 'enum') continue;
      expect(named.default, named.name).toBeDefined();
      expect(named.symbols).toContain(named.default);
    }
  });

  test.each(all.map((s) => ({ name: s.name, schema: s })))(
    '$name: fields named *At are timestamp-millis',
    ({ schema }) => {
      for (const { path, field } of fieldsOf(schema, schema.name)) {
        if (!/At$/.test(field.name)) continue;
        const branches = Array.isArray(field.type) ? field.type : [field.type];
        const timestamp = branches.find((b) => isObject(b) && b.logicalType === 'timestamp-millis');
        expect(timestamp, path).toBeDefined();
      }
    },
  );

  test.each(bundled.value.events.map((s) => ({ name: s.name, schema: s })))(
    '$name starts with the envelope',
    ({ schema }) => {
      expect(schema.fields.slice(0, sources.envelope.fields.length).map((f) => f.name)).toEqual(
        sources.envelope.fields.map((f) => f.name),
      );
    },
  );

  test('an optional field always has a null default, so readers of older data can fill it', () => {
    for (const schema of all) {
      for (const { path, field } of fieldsOf(schema, schema.name)) {
        if (Array.isArray(field.type) && field.type[0] === 'null') expect(field.default, path).toBeNull();
      }
    }
  });
});
