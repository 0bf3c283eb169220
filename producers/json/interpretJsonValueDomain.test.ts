import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { checkText } from '../../core/valueDomain.js';
import { jsonAnswers, mapJsonSubmission } from './interpretJsonEvent.js';

const message = (payload: Uint8Array) => ({
  payload,
  messageId: 'key-1',
  receiptId: '00000000-0000-4000-8000-000000000001',
});
const text = (value: string) => new TextEncoder().encode(value);
const order = {
  type: 'MedicationOrdered',
  nhsNumber: '9995000040',
  occurredAt: '2026-03-04T16:45:00Z',
  data: { orderId: 'O1', code: '323509004', codeSystem: 'dm+d', display: 'Amoxicillin', dosageText: 'one\ntwice' },
};
const withData = (data: Record<string, unknown>) => ({ ...order, data: { ...order.data, ...data } });

const refusal = (body: string | Uint8Array) => {
  const mapped = mapJsonSubmission(message(typeof body === 'string' ? text(body) : body), 'json-api');
  if (mapped.ok) return 'accepted';
  return { kind: mapped.error.kind, location: mapped.error.location, status: jsonAnswers[mapped.error.kind] };
};

describe('accepted, then lost: values the views cannot hold are refused with a 4xx and the JSON pointer', () => {
  test.each([
    {
      name: 'occurredAt in year 0000',
      body: { ...order, occurredAt: '0000-01-01T00:00:00Z' },
      location: '/occurredAt',
    },
    {
      name: 'occurredAt in year 9999',
      body: { ...order, occurredAt: '9999-12-31T23:59:59Z' },
      location: '/occurredAt',
    },
    { name: 'a stop date in year 9999', body: withData({ stopAt: '9999-01-01T00:00:00Z' }), location: '/data/stopAt' },
    { name: 'a NUL in a display', body: withData({ display: 'Amox\u0000icillin' }), location: '/data/display' },
    { name: 'a BEL in an order id', body: withData({ orderId: 'O\u00071' }), location: '/data/orderId' },
    { name: 'a line break in a display', body: withData({ display: 'one\ntwo' }), location: '/data/display' },
    { name: 'a C1 control in a reason', body: withData({ reason: 'x\u009by' }), location: '/data/reason' },
  ])('$name', ({ body, location }) => {
    expect(refusal(JSON.stringify(body))).toEqual({ kind: 'invalid-value', location, status: 400 });
  });

  test('free text keeps its line breaks', () => {
    expect(refusal(JSON.stringify(withData({ dosageText: 'one\r\n\ttwice' })))).toBe('accepted');
  });
});

describe('very long texts and identifiers are refused', () => {
  test.each([
    { name: 'a 201-character order id', body: withData({ orderId: 'O'.repeat(201) }), location: '/data/orderId' },
    { name: 'a 1,001-character display', body: withData({ display: 'd'.repeat(1001) }), location: '/data/display' },
    {
      name: 'a 4,001-character dosage text',
      body: withData({ dosageText: 't'.repeat(4001) }),
      location: '/data/dosageText',
    },
    {
      name: 'a 201-character correlation id',
      body: { ...order, correlationId: 'c'.repeat(201) },
      location: '/correlationId',
    },
  ])('$name', ({ body, location }) => {
    expect(refusal(JSON.stringify(body))).toMatchObject({ location, status: 400 });
  });
});

describe('quietly changed values', () => {
  test.each([
    {
      name: '2026-02-31 in occurredAt',
      body: { ...order, occurredAt: '2026-02-31T10:00:00Z' },
      location: '/occurredAt',
    },
    { name: '2026-02-31 in startAt', body: withData({ startAt: '2026-02-31T10:00:00Z' }), location: '/data/startAt' },
    { name: '24:61 in occurredAt', body: { ...order, occurredAt: '2026-03-01T24:61:00Z' }, location: '/occurredAt' },
  ])('$name is refused, never rolled over', ({ body, location }) => {
    expect(refusal(JSON.stringify(body))).toEqual({ kind: 'invalid-value', location, status: 400 });
  });

  test('a lone UTF-16 surrogate escape is refused, not turned into U+FFFD', () => {
    const body = JSON.stringify(withData({ display: 'PLACEHOLDER' })).replace('PLACEHOLDER', 'Amox\\ud800');
    expect(refusal(body)).toEqual({ kind: 'invalid-value', location: '/data/display', status: 400 });
  });

  test('a lone surrogate after a control character in the idempotency key is refused, not a 500', () => {
    // The first rule broken is the control character; the surrogate behind it must still be found
    // before the key becomes a dedup key (encodeURIComponent throws on a lone surrogate).
    const body = JSON.stringify({ ...order, idempotencyKey: 'PLACEHOLDER' }).replace('PLACEHOLDER', 'k\\u0001\\ud800');
    const mapped = mapJsonSubmission({ ...message(text(body)), messageId: null }, 'json-api');
    expect(mapped.ok ? 'accepted' : { kind: mapped.error.kind, location: mapped.error.location }).toEqual({
      kind: 'invalid-value',
      location: '/idempotencyKey',
    });
  });

  test('bytes that are not UTF-8 are refused, not replaced', () => {
    const bytes = text(JSON.stringify(withData({ display: 'Amox-icillin' })));
    expect(refusal(Uint8Array.from(bytes, (byte) => (byte === 0x2d ? 0xe9 : byte)))).toMatchObject({
      kind: 'unparseable',
      status: 400,
    });
  });

  test('an instant is stored with exactly the calendar fields it was sent with', () => {
    const mapped = mapJsonSubmission(
      message(text(JSON.stringify({ ...order, occurredAt: '2028-02-29T23:59:59.999+01:00' }))),
      'json-api',
    );
    expect(mapped.ok && mapped.value.drafts[0]?.occurredAt.toISOString()).toBe('2028-02-29T22:59:59.999Z');
  });
});

describe('any display is either published exactly as sent or refused at its pointer', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 1200 }),
    fc.constantFrom('\u0000', '\ud800', '\udc00x', '\u001f', '\u0085', '\ufffe', 'ok\ttab'),
  );
  propTest.prop([anyText])('display', (display) => {
    const mapped = mapJsonSubmission(message(text(JSON.stringify(withData({ display })))), 'json-api');
    const inDomain = checkText(display, 'display', { field: 'display', location: '/data/display' }).ok;
    if (mapped.ok) {
      expect(inDomain).toBe(true);
      const [draft] = mapped.value.drafts;
      expect(draft?.type === 'MedicationOrdered' && draft.medication.display).toBe(display);
    } else {
      expect(inDomain).toBe(false);
      expect(mapped.error.location).toBe('/data/display');
    }
  });
});

test('an Idempotency-Key header outside the domain is refused at the header', () => {
  const mapped = mapJsonSubmission(
    { payload: text(JSON.stringify(order)), messageId: 'k'.repeat(201), receiptId: 'r' },
    'json-api',
  );
  expect(mapped.ok ? 'accepted' : mapped.error).toMatchObject({
    kind: 'invalid-value',
    location: '/headers/idempotency-key',
  });
});
