import { describe, expect, test } from 'vitest';
import { parseSchemaRequest } from './parseSchemaRequest.js';

const schema = JSON.stringify({ type: 'record', name: 'cel.A', fields: [{ name: 'x', type: 'string' }] });

describe('parseSchemaRequest', () => {
  test.each([
    { name: 'schema only', body: { schema } },
    { name: 'schemaType AVRO', body: { schema, schemaType: 'AVRO' } },
    { name: 'empty references', body: { schema, references: [] } },
    { name: 'null schemaType and references', body: { schema, schemaType: null, references: null } },
  ])('accepts $name', ({ body }) => {
    const result = parseSchemaRequest(body);
    expect(result.ok && result.value.normalized).toBe(
      '{"type":"record","name":"cel.A","fields":[{"name":"x","type":"string"}]}',
    );
  });

  test.each([
    { name: 'no body', body: undefined, reason: /JSON object/ },
    { name: 'an array', body: [schema], reason: /JSON object/ },
    { name: 'no schema', body: {}, reason: /no "schema"/ },
    { name: 'a schema that is not a string', body: { schema: { type: 'string' } }, reason: /no "schema"/ },
    { name: 'an empty schema', body: { schema: ' ' }, reason: /no "schema"/ },
    {
      name: 'PROTOBUF',
      body: { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' },
      reason: /"PROTOBUF" is not supported/,
    },
    { name: 'JSON schema', body: { schema: '{}', schemaType: 'JSON' }, reason: /"JSON" is not supported/ },
    {
      name: 'references',
      body: { schema, references: [{ name: 'cel.B', subject: 'b', version: 1 }] },
      reason: /references are not supported/,
    },
    { name: 'invalid Avro', body: { schema: '{"type":"record"}' }, reason: /missing name/ },
    { name: 'not JSON', body: { schema: '{"type":' }, reason: /not JSON/ },
  ])('refuses $name with 42201', ({ body, reason }) => {
    const result = parseSchemaRequest(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('invalid-schema');
    expect(result.error.kind === 'invalid-schema' && result.error.reason).toMatch(reason);
  });
});
