import { createHash } from 'node:crypto';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { normalizeAvroSchema } from './normalizeAvroSchema.js';

const normalized = (schema: unknown): string => {
  const result = normalizeAvroSchema(typeof schema === 'string' ? schema : JSON.stringify(schema));
  if (!result.ok) throw new Error(`expected a valid schema: ${result.error.reason}`);
  return result.value.normalized;
};

const discharge = {
  type: 'record',
  name: 'PatientDischarged',
  namespace: 'cel.events',
  fields: [
    { name: 'reason', type: 'string' },
    { name: 'dose', type: ['null', 'string'], default: null },
  ],
};

describe('normalizeAvroSchema: the same schema written differently gets one normalized form', () => {
  test.each([
    {
      name: 'whitespace and key order',
      a: JSON.stringify(discharge),
      b: `{
        "fields": [ {"type": "string", "name": "reason"}, {"default": null, "type": ["null", "string"], "name": "dose"} ],
        "namespace": "cel.events", "name": "PatientDischarged", "type": "record"
      }`,
    },
    {
      name: 'namespace key versus a full name',
      a: discharge,
      b: { ...discharge, namespace: undefined, name: 'cel.events.PatientDischarged' },
    },
    { name: 'a primitive with and without braces', a: '"string"', b: { type: 'string' } },
    {
      name: 'the default field order written out',
      a: { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] },
      b: { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int', order: 'ascending' }] },
    },
    {
      name: 'a reference by short name versus full name',
      a: {
        type: 'record',
        name: 'cel.A',
        fields: [
          { name: 'b', type: { type: 'enum', name: 'B', symbols: ['X'] } },
          { name: 'c', type: 'B' },
        ],
      },
      b: {
        type: 'record',
        name: 'cel.A',
        fields: [
          { name: 'b', type: { type: 'enum', name: 'cel.B', symbols: ['X'] } },
          { name: 'c', type: 'cel.B' },
        ],
      },
    },
    {
      name: 'key order inside a default value and a custom attribute',
      a: {
        type: 'record',
        name: 'A',
        'x-owner': { team: 'gp', area: 'clinical' },
        fields: [
          {
            name: 'r',
            type: {
              type: 'record',
              name: 'R',
              fields: [
                { name: 'p', type: 'int' },
                { name: 'q', type: 'int' },
              ],
            },
            default: { p: 1, q: 2 },
          },
        ],
      },
      b: {
        'x-owner': { area: 'clinical', team: 'gp' },
        fields: [
          {
            default: { q: 2, p: 1 },
            name: 'r',
            type: {
              name: 'R',
              type: 'record',
              fields: [
                { name: 'p', type: 'int' },
                { name: 'q', type: 'int' },
              ],
            },
          },
        ],
        name: 'A',
        type: 'record',
      },
    },
  ])('$name', ({ a, b }) => {
    expect(normalized(a)).toBe(normalized(b));
  });
});

describe('normalizeAvroSchema: what Avro keeps tells schemas apart', () => {
  const base = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'string' }] };
  test.each([
    { name: 'doc', other: { ...base, doc: 'a discharge' } },
    { name: 'a field doc', other: { ...base, fields: [{ name: 'x', type: 'string', doc: 'why' }] } },
    { name: 'a default', other: { ...base, fields: [{ name: 'x', type: 'string', default: '' }] } },
    {
      name: 'a logical type',
      other: { ...base, fields: [{ name: 'x', type: { type: 'string', logicalType: 'uuid' } }] },
    },
    { name: 'aliases', other: { ...base, aliases: ['Old'] } },
    { name: 'a descending order', other: { ...base, fields: [{ name: 'x', type: 'string', order: 'descending' }] } },
    { name: 'a custom attribute', other: { ...base, 'connect.name': 'A' } },
    { name: 'a namespace', other: { ...base, namespace: 'cel' } },
  ])('$name', ({ other }) => {
    expect(normalized(other)).not.toBe(normalized(base));
  });
});

describe('normalizeAvroSchema: the normalized form', () => {
  test('folds the namespace into full names, drops whitespace and keeps doc, default and logicalType', () => {
    expect(
      normalized({
        namespace: 'cel.events',
        doc: 'One discharge',
        fields: [
          { name: 'at', type: { logicalType: 'timestamp-millis', type: 'long' } },
          { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['A', 'B'], default: 'A' } },
        ],
        name: 'PatientDischarged',
        type: 'record',
      }),
    ).toBe(
      '{"type":"record","name":"cel.events.PatientDischarged","doc":"One discharge","fields":[' +
        '{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},' +
        '{"name":"status","type":{"type":"enum","name":"cel.events.Status","symbols":["A","B"],"default":"A"}}]}',
    );
  });

  test('keeps a null namespace inside a namespaced record explicit', () => {
    const schema = {
      type: 'record',
      name: 'cel.A',
      fields: [{ name: 'b', type: { type: 'record', name: 'B', namespace: '', fields: [] } }],
    };
    expect(normalized(schema)).toContain('"name":"B","namespace":""');
  });

  test('the fingerprint is the sha256 of the normalized text', () => {
    const result = normalizeAvroSchema(JSON.stringify(discharge));
    expect(result.ok && result.value.fingerprint).toBe(
      createHash('sha256').update(normalized(discharge)).digest('hex'),
    );
  });

  test('normalizing the normalized form changes nothing', () => {
    expect(normalized(normalized(discharge))).toBe(normalized(discharge));
  });
});

describe('normalizeAvroSchema: invalid schemas are a value, with the reason', () => {
  test.each([
    { name: 'not JSON', text: '{"type": "record",', kind: 'not-json' },
    { name: 'an unknown type', text: '{"type": "recordx", "name": "A"}', kind: 'not-avro' },
    { name: 'a record without a name', text: '{"type": "record", "fields": []}', kind: 'not-avro' },
    {
      name: 'a default of the wrong type',
      text: '{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":"s"}]}',
      kind: 'not-avro',
    },
    {
      name: 'an undefined named type',
      text: '{"type":"record","name":"A","fields":[{"name":"x","type":"B"}]}',
      kind: 'not-avro',
    },
    {
      name: 'a duplicate field',
      text: '{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"x","type":"int"}]}',
      kind: 'not-avro',
    },
    { name: 'a duplicate enum symbol', text: '{"type":"enum","name":"E","symbols":["A","A"]}', kind: 'not-avro' },
    { name: 'an invalid name', text: '{"type":"fixed","name":"1F","size":2}', kind: 'not-avro' },
    {
      name: 'a union default not of the first branch',
      text: '{"type":"record","name":"A","fields":[{"name":"u","type":["null","string"],"default":"x"}]}',
      kind: 'not-avro',
    },
    { name: 'a JSON number', text: '42', kind: 'not-avro' },
  ])('$name → $kind', ({ text, kind }) => {
    const result = normalizeAvroSchema(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(kind);
    expect(result.error.reason.length).toBeGreaterThan(0);
  });

  propTest.prop([fc.string()])('never throws, whatever the text', (text) => {
    expect(() => normalizeAvroSchema(text)).not.toThrow();
  });

  propTest.prop([fc.json()])('never throws, whatever the JSON', (text) => {
    expect(() => normalizeAvroSchema(text)).not.toThrow();
  });
});
