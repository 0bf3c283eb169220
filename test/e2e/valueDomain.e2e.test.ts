/**
 * The value domain end to end: each hostile value that used to be accepted and then lost (or
 * quietly changed) is refused by the running service in its channel's own terms (HL7 AE with
 * an ERR location, a FHIR OperationOutcome expression, a problem+json pointer), is kept as a
 * rejected input, and never reaches the canonical topic.
 */
import { describe, expect } from 'vitest';
import { hl7Bytes, sampleLines, withField } from '../support/hl7Lines.js';
import { errOf, msaOf, openMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { readCanonicalEvents, type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';

const discharge = sampleLines('hl7v2/adt_a03_discharge.hl7');
// The order sample is 2.4 (ERR-1); as 2.5.1 its ACK carries ERR-2 with the leaf's position.
const order = withField(sampleLines('hl7v2/orm_o01_new_order.hl7'), 'MSH-12', '2.5.1');
const withControlId = (lines: readonly string[], id: string) => withField(lines, 'MSH-10', id);

/** Bytes not valid UTF-8 (a Latin-1 é) in a message without MSH-18. */
function latin1WithoutMsh18(): Uint8Array {
  const bytes = hl7Bytes(withControlId(discharge, 'VD-LATIN1'));
  const at = Buffer.from(bytes).indexOf('ARDEN');
  return Uint8Array.from(bytes, (byte, i) => (i === at ? 0xe9 : byte));
}

const hl7Cases = [
  {
    name: 'a NUL (\\X00\\) in an RXO field',
    bytes: hl7Bytes(withControlId(withField(order, 'RXO-1', '323509004^Amox\\X00\\icillin^DMD'), 'VD-NUL')),
    err: /^ERR\|\|RXO\^1\^1\^1\^2\^1\|102\^Data type error\^HL70357\|E\|invalid-value\|/,
  },
  {
    name: 'an MSH-10 of 6,000 characters',
    bytes: hl7Bytes(withControlId(discharge, '7'.repeat(6000))),
    err: /^ERR\|\|MSH\^1\^10\|102\^/,
  },
  {
    name: '2026-02-31 in PV1-45',
    bytes: hl7Bytes(withControlId(withField(discharge, 'PV1-45', '20260231143000'), 'VD-FEB31')),
    err: /^ERR\|\|PV1\^1\^45\|102\^/,
  },
  {
    name: 'a discharge in year 9999',
    bytes: hl7Bytes(withControlId(withField(discharge, 'PV1-45', '99991231143000'), 'VD-9999')),
    err: /^ERR\|\|PV1\^1\^45\|102\^/,
  },
  {
    name: 'a 1,001-character drug display',
    bytes: hl7Bytes(withControlId(withField(order, 'RXO-1', `323509004^${'x'.repeat(1001)}^DMD`), 'VD-LONG')),
    err: /^ERR\|\|RXO\^1\^1\^1\^2\^1\|102\^/,
  },
  {
    name: 'invalid UTF-8 without MSH-18',
    bytes: latin1WithoutMsh18(),
    err: /^ERR\|\|MSH\^1\^18\|102\^Data type error\^HL70357\|E\|invalid-structure\|\|\|.*MSH-18/,
  },
];

const condition = JSON.parse(Buffer.from(sampleBytes('fhir/condition_confirmed.json')).toString('utf8'));
const conditionWith = (id: string, display: string, recordedDate = '2026-03-05T09:05:00Z') =>
  JSON.stringify({
    ...condition,
    id,
    recordedDate,
    code: { coding: [{ system: 'http://snomed.info/sct', code: '714628002', display }] },
  });

const fhirCases = [
  {
    name: 'a NUL in a display',
    body: conditionWith('vd-nul', 'Pre\u0000diabetes'),
    expression: 'Condition.code.coding[0].display',
  },
  {
    name: 'a lone surrogate escape in a display',
    body: conditionWith('vd-sur', 'PLACEHOLDER').replace('PLACEHOLDER', 'Pre\\ud800diabetes'),
    expression: 'Condition.code.coding[0].display',
  },
  {
    name: '2026-02-31 in recordedDate',
    body: conditionWith('vd-feb', 'Prediabetes', '2026-02-31T09:05:00Z'),
    expression: 'Condition.recordedDate',
  },
  {
    name: 'recordedDate in year 9999',
    body: conditionWith('vd-9999', 'Prediabetes', '9999-01-01T00:00:00Z'),
    expression: 'Condition.recordedDate',
  },
  {
    name: 'a 1,001-character display',
    body: conditionWith('vd-long', 'x'.repeat(1001)),
    expression: 'Condition.code.coding[0].display',
  },
];

const medication = JSON.parse(Buffer.from(sampleBytes('json/medication_event.json')).toString('utf8'));
const jsonWith = (key: string, change: Record<string, unknown>, data: Record<string, unknown> = {}) =>
  JSON.stringify({ ...medication, idempotencyKey: key, ...change, data: { ...medication.data, ...data } });

const jsonCases = [
  {
    name: 'occurredAt in year 0000',
    body: jsonWith('vd-0000', { occurredAt: '0000-01-01T00:00:00Z' }),
    pointer: '/occurredAt',
  },
  {
    name: 'occurredAt in year 9999',
    body: jsonWith('vd-9999', { occurredAt: '9999-12-31T23:59:59Z' }),
    pointer: '/occurredAt',
  },
  {
    name: '2026-02-31 in occurredAt',
    body: jsonWith('vd-feb', { occurredAt: '2026-02-31T10:00:00Z' }),
    pointer: '/occurredAt',
  },
  {
    name: 'a NUL in a display',
    body: jsonWith('vd-nul', {}, { display: 'Furo\u0000semide' }),
    pointer: '/data/display',
  },
  {
    name: 'a lone surrogate escape in a display',
    body: jsonWith('vd-sur', {}, { display: 'PLACEHOLDER' }).replace('PLACEHOLDER', '\\ud800'),
    pointer: '/data/display',
  },
  {
    name: 'a 201-character order id',
    body: jsonWith('vd-long', {}, { orderId: 'O'.repeat(201) }),
    pointer: '/data/orderId',
  },
];

/** What reached the canonical topic, by source message id. */
async function publishedMessageIds(service: ServiceUnderTest): Promise<readonly string[]> {
  return [...new Set((await readCanonicalEvents(service)).map((event) => event.source.messageId))];
}

/** The rejected inputs the service holds for re-drive, by reason. */
async function heldReasons(service: ServiceUnderTest): Promise<readonly string[]> {
  const listed = await service.api.get('/admin/rejected');
  return ((listed.body as { rejected: { reasonCode: string }[] }).rejected ?? []).map((held) => held.reasonCode);
}

describe('values outside the value domain are refused at the edge, and nothing of them is published', () => {
  test('HL7 v2: AE with ERR-2 at the leaf, never AA or AR', async ({ service }) => {
    const client = await openMllp(service.mllpPort);
    try {
      for (const { name, bytes, err } of hl7Cases) {
        const ack = await client.send(bytes);
        expect(msaOf(ack).code, name).toBe('AE');
        expect(errOf(ack), name).toMatch(err);
      }
      expect(msaOf(await client.send(sampleBytes('hl7v2/adt_a03_discharge.hl7'))).code).toBe('AA');
    } finally {
      client.close();
    }
    expect(await publishedMessageIds(service)).toEqual(['100187']);
    expect(await heldReasons(service)).toHaveLength(hl7Cases.length);
  });

  test('FHIR: 400 OperationOutcome with the element expression', async ({ service }) => {
    const api = service.api;
    const headers = { 'content-type': 'application/fhir+json' };
    for (const { name, body, expression } of fhirCases) {
      const response = await api.request('POST', '/fhir/Condition', { raw: body, headers });
      expect(response.status, name).toBe(400);
      expect(response.body, name).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'value', expression: [expression] }],
      });
    }
    const good = await api.request('POST', '/fhir/Condition', {
      raw: conditionWith('vd-good', 'Prediabetes'),
      headers,
    });
    expect(good.status).toBe(201);
    expect(await publishedMessageIds(service)).toEqual([expect.stringContaining('vd-good')]);
    expect(await heldReasons(service)).toHaveLength(fhirCases.length);
  });

  test('JSON: 400 problem+json with the pointer', async ({ service }) => {
    const api = service.api;
    for (const { name, body, pointer } of jsonCases) {
      const key = (JSON.parse(body) as { idempotencyKey: string }).idempotencyKey;
      const response = await api.request('POST', '/events', {
        raw: body,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
      });
      expect(response.status, name).toBe(400);
      expect(response.headers.get('content-type'), name).toContain('application/problem+json');
      expect(response.body, name).toMatchObject({ location: pointer });
    }
    const good = await api.request('POST', '/events', {
      raw: jsonWith('vd-good', {}),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'vd-good' },
    });
    expect(good.status).toBe(201);
    expect(await publishedMessageIds(service)).toEqual(['vd-good']);
    expect(await heldReasons(service)).toHaveLength(jsonCases.length);
  });
});
