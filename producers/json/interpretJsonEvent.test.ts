import { describe, expect, test } from 'vitest';
import { eventIdFor, jsonDedupKey } from '../../core/eventIdentity.js';
import { isNamed, isObject } from '../../schemas/avroJson.js';
import { eventSchemas } from '../../schemas/generated/avroSchemas.js';
import { toNeutral } from '../../test/support/neutralEvent.js';
import { expectedOutcomes, sampleBytes } from '../../test/support/samples.js';
import { completeEvents } from '../eventDraft.js';
import { jsonAnswers, mapJsonSubmission } from './interpretJsonEvent.js';
import { jsonCodeSystems, jsonEventDataSchemas, jsonVerificationStatuses } from './jsonEventSchema.js';

const message = (payload: Uint8Array, idempotencyKey: string | null = null) => ({
  payload,
  messageId: idempotencyKey,
  receiptId: '00000000-0000-4000-8000-000000000001',
});
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('JSON ingest samples', () => {
  test.each(expectedOutcomes('json').map((e) => ({ name: e.input, expected: e })))('$name', ({ expected }) => {
    const mapped = mapJsonSubmission(message(sampleBytes(expected.input)), 'json-api');
    if (expected.outcome === 'rejected') {
      expect(mapped.ok).toBe(false);
      if (mapped.ok) return;
      expect(jsonAnswers[mapped.error.kind]).toBe(expected.httpStatus);
      expect(mapped.error.location).toBe(expected.error?.location);
      return;
    }
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    const nhsNumber = mapped.value.patient.nhsNumber;
    if (nhsNumber === undefined) throw new Error('no NHS number');
    const events = completeEvents({
      drafts: mapped.value.drafts,
      patient: { nhsNumber, nhsNumberVerificationStatus: null, localIdentifiers: [] },
      source: mapped.value.source,
      recordedAt: new Date(),
      correlationId: 'c',
    });
    expect(events.map(toNeutral)).toEqual(expected.events.map((e) => expect.objectContaining(e)));
  });
});

describe('JSON ingest rules', () => {
  const discharge = {
    type: 'PatientDischarged',
    nhsNumber: '9995000040',
    occurredAt: '2026-03-04T16:45:00Z',
    data: { visitId: 'V1', dischargedAt: '2026-03-04T16:45:00Z' },
  };

  test('the Idempotency-Key header is the identity when the body has none', () => {
    const mapped = mapJsonSubmission(message(json(discharge), 'key-1'), 'json-api');
    expect(mapped.ok && mapped.value.drafts[0]?.dedupKey).toBe(jsonDedupKey('key-1'));
    expect(eventIdFor(jsonDedupKey('key-1'))).toMatch(/^[0-9a-f-]{36}$/);
  });

  test.each([
    {
      name: 'no key at all',
      body: discharge,
      header: null,
      kind: 'required-field-missing',
      location: '/idempotencyKey',
    },
    {
      name: 'header and body disagree',
      body: { ...discharge, idempotencyKey: 'a' },
      header: 'b',
      kind: 'invalid-value',
      location: '/idempotencyKey',
    },
    {
      name: 'invalid NHS number',
      body: { ...discharge, nhsNumber: '9991000217' },
      header: 'k',
      kind: 'invalid-nhs-number',
      location: '/nhsNumber',
    },
    {
      name: 'a time without a zone',
      body: { ...discharge, occurredAt: '2026-03-04T16:45:00' },
      header: 'k',
      kind: 'invalid-structure',
      location: '/occurredAt',
    },
    {
      name: 'a field of another type',
      body: { ...discharge, data: { ...discharge.data, orderId: 'x' } },
      header: 'k',
      kind: 'invalid-structure',
      location: '/data/orderId',
    },
    { name: 'not JSON', body: undefined, header: 'k', kind: 'unparseable', location: '/' },
  ])('$name → $kind at $location', ({ body, header, kind, location }) => {
    const payload = body === undefined ? Buffer.from('{not json') : json(body);
    const mapped = mapJsonSubmission(message(payload, header), 'json-api');
    expect(mapped.ok ? undefined : { kind: mapped.error.kind, location: mapped.error.location }).toEqual({
      kind,
      location,
    });
  });
});

describe('the JSON schema agrees with the Avro model', () => {
  const neutralToAvro = (type: string, property: string) => {
    const medication = ['code', 'codeSystem', 'display', 'dose', 'doseUnit', 'route', 'frequency', 'dosageText'];
    return type.startsWith('Medication') && medication.includes(property) ? `medication.${property}` : property;
  };
  const avroFields = (type: keyof typeof eventSchemas) => {
    const fields = new Map<string, { required: boolean }>();
    for (const field of eventSchemas[type].fields) {
      const nullable = Array.isArray(field.type) && field.type[0] === 'null';
      fields.set(field.name, { required: !nullable && !('default' in field) });
      const inner = Array.isArray(field.type) ? field.type[1] : field.type;
      if (isNamed(inner) && inner.type === 'record') {
        for (const f of inner.fields)
          fields.set(`${field.name}.${f.name}`, { required: !(Array.isArray(f.type) && f.type[0] === 'null') });
      }
    }
    return fields;
  };

  test.each(Object.keys(jsonEventDataSchemas).map((type) => ({ type: type as keyof typeof jsonEventDataSchemas })))(
    '$type: every property is an Avro field, and every required clinical field is required',
    ({ type }) => {
      const schema = jsonEventDataSchemas[type];
      const fields = avroFields(type);
      for (const property of Object.keys(schema.properties)) {
        expect(fields.has(neutralToAvro(type, property)), `${type}.${property}`).toBe(true);
      }
      const envelope = new Set([
        'eventId',
        'dedupKey',
        'occurredAt',
        'recordedAt',
        'patient',
        'source',
        'correlationId',
        'causationId',
        'codings',
      ]);
      for (const [name, { required }] of fields) {
        if (
          !required ||
          envelope.has(name.split('.')[0] ?? name) ||
          (name.startsWith('medication.') && type !== 'MedicationOrdered')
        )
          continue;
        const property = name.replace(/^medication\./, '');
        expect(schema.required as readonly string[], `${type}.${name}`).toContain(
          property === 'medication' ? 'code' : property,
        );
      }
    },
  );

  test('code systems and statuses map onto the Avro enum symbols', () => {
    const symbolsOf = (name: string) => {
      for (const schema of Object.values(eventSchemas)) {
        const stack: unknown[] = [...schema.fields.map((f) => f.type)];
        while (stack.length > 0) {
          const t = stack.pop();
          if (Array.isArray(t)) stack.push(...t);
          else if (isNamed(t) && t.type === 'enum' && t.name === name) return t.symbols;
          else if (isNamed(t) && t.type === 'record') stack.push(...t.fields.map((f) => f.type));
          else if (isObject(t) && t.type === 'array') stack.push(t.items);
        }
      }
      return [];
    };
    for (const symbol of Object.values(jsonCodeSystems)) expect(symbolsOf('CodeSystem')).toContain(symbol);
    for (const symbol of Object.values(jsonVerificationStatuses))
      expect(symbolsOf('VerificationStatus')).toContain(symbol);
  });
});
