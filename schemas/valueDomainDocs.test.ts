import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CLINICAL_WINDOW, type EventField, eventFieldKinds, textLimits } from '../core/valueDomain.js';
import { eventSchemas } from './generated/avroSchemas.js';
import { valueDomainNote, valueFieldsOf } from './valueDomainDocs.js';

const schemas = Object.values(eventSchemas);
const fieldsInSchemas = new Set(schemas.flatMap((schema) => valueFieldsOf(schema)));

describe('the value domain covers the whole event contract', () => {
  test.each([...fieldsInSchemas].map((field) => ({ field })))(
    'text or instant field $field has a kind in core/valueDomain.ts',
    ({ field }) => {
      expect(Object.keys(eventFieldKinds)).toContain(field);
    },
  );

  test('every kind in the table names a field of some event', () => {
    expect(Object.keys(eventFieldKinds).filter((field) => !fieldsInSchemas.has(field))).toEqual([]);
  });

  test('every such field states its rule in the generated Avro docs', () => {
    const docs = JSON.stringify(schemas);
    for (const field of Object.keys(eventFieldKinds) as EventField[]) {
      expect(docs, field).toContain(valueDomainNote(field));
    }
  });
});

test('schemas/EVENTS.md lists every kind with its limit from the table', () => {
  const events = readFileSync(new URL('./EVENTS.md', import.meta.url), 'utf8');
  for (const [kind, limit] of Object.entries(textLimits)) {
    expect(events, kind).toMatch(
      new RegExp(`\\| \`${kind}\`\\s*\\|\\s*${limit.maxLength} \\| ${limit.lineBreaks ? 'TAB, LF, CR' : 'no'}`),
    );
  }
  expect(events).toContain(CLINICAL_WINDOW.from.toISOString());
  expect(events).toContain(CLINICAL_WINDOW.to.toISOString());
});
