import { describe, expect, test } from 'vitest';
import {
  type AuditEventQuery,
  decodePositionCursor,
  decodeTimelineCursor,
  encodePositionCursor,
  encodeTimelineCursor,
  parseAuditEventQuery,
} from './auditQuery.js';

const PATIENT = '9991000216';
const base: AuditEventQuery = { limit: 100 };

describe('parseAuditEventQuery', () => {
  test.each<{ name: string; query: Partial<AuditEventQuery> }>([
    { name: 'a patient', query: { patient: PATIENT } },
    { name: 'a patient written with spaces', query: { patient: '999 100 0216' } },
    { name: 'a correlation id', query: { correlationId: 'c-1' } },
    { name: 'a source message id', query: { sourceMessageId: '100187' } },
    { name: 'a range of 366 days', query: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } },
    {
      name: 'a type within a range',
      query: { type: 'PatientDischarged', from: '2026-03-01T00:00Z', to: '2026-03-02T00:00+01:00' },
    },
    { name: 'a patient with a one-sided range', query: { patient: PATIENT, from: '2026-03-01T00:00:00.5Z' } },
  ])('accepts $name', ({ query }) => {
    expect(parseAuditEventQuery({ ...base, ...query }).ok).toBe(true);
  });

  test.each<{ name: string; query: Partial<AuditEventQuery>; code: string; location: string | undefined }>([
    {
      name: 'an invalid NHS number',
      query: { patient: '9991000217' },
      code: 'CEL_ERR_INVALID_NHS_NUMBER',
      location: '/patient',
    },
    {
      name: 'a date without a time',
      query: { patient: PATIENT, from: '2026-03-01' },
      code: 'CEL_ERR_BAD_INSTANT',
      location: '/from',
    },
    {
      name: 'an instant without a zone',
      query: { patient: PATIENT, to: '2026-03-01T10:00:00' },
      code: 'CEL_ERR_BAD_INSTANT',
      location: '/to',
    },
    {
      name: 'an impossible date',
      query: { patient: PATIENT, to: '2026-02-31T10:00:00Z' },
      code: 'CEL_ERR_BAD_INSTANT',
      location: '/to',
    },
    {
      name: 'to before from',
      query: { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' },
      code: 'CEL_ERR_BAD_RANGE',
      location: '/to',
    },
    {
      name: 'a range over 366 days',
      query: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:01Z' },
      code: 'CEL_ERR_RANGE_TOO_WIDE',
      location: '/to',
    },
    { name: 'no filter', query: {}, code: 'CEL_ERR_UNBOUNDED_QUERY', location: undefined },
    {
      name: 'a type alone',
      query: { type: 'PatientDischarged' },
      code: 'CEL_ERR_UNBOUNDED_QUERY',
      location: undefined,
    },
    { name: 'from alone', query: { from: '2026-03-01T00:00:00Z' }, code: 'CEL_ERR_UNBOUNDED_QUERY', location: '/to' },
    { name: 'to alone', query: { to: '2026-03-01T00:00:00Z' }, code: 'CEL_ERR_UNBOUNDED_QUERY', location: '/from' },
    {
      name: 'a cursor this API did not issue',
      query: { patient: PATIENT, cursor: 'bm90LWEtY3Vyc29y' },
      code: 'CEL_ERR_BAD_CURSOR',
      location: '/cursor',
    },
    {
      name: 'a timeline cursor on the event list',
      query: {
        patient: PATIENT,
        cursor: encodeTimelineCursor({ occurredAt: '2026-03-01T00:00:00.000000Z', partition: 0, offset: '1' }).slice(
          0,
          -2,
        ),
      },
      code: 'CEL_ERR_BAD_CURSOR',
      location: '/cursor',
    },
  ])('refuses $name, naming the parameter', ({ query, code, location }) => {
    const parsed = parseAuditEventQuery({ ...base, ...query });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.location).toBe(location);
    }
  });

  test('the filter carries the normalised NHS number, the instants and the cursor position', () => {
    const cursor = encodePositionCursor({ partition: 2, offset: '41' });
    expect(
      parseAuditEventQuery({ ...base, patient: '999-100-0216', from: '2026-03-01T00:00:00Z', cursor, limit: 5 }),
    ).toEqual({
      ok: true,
      value: {
        filter: {
          nhsNumber: PATIENT,
          type: undefined,
          from: new Date('2026-03-01T00:00:00Z'),
          to: undefined,
          correlationId: undefined,
          sourceMessageId: undefined,
        },
        after: { partition: 2, offset: '41' },
        limit: 5,
      },
    });
  });
});

describe('cursors', () => {
  test('a position cursor round-trips and rejects other text', () => {
    expect(decodePositionCursor(encodePositionCursor({ partition: 0, offset: '9007199254740993' }))).toEqual({
      partition: 0,
      offset: '9007199254740993',
    });
    for (const bad of [
      '',
      '!!',
      Buffer.from('{"p":-1,"o":"1"}').toString('base64url'),
      Buffer.from('{"p":0,"o":1}').toString('base64url'),
      Buffer.from('[0,"1"]').toString('base64url'),
    ])
      expect(decodePositionCursor(bad)).toBeUndefined();
  });

  test('a timeline cursor round-trips with microseconds', () => {
    const key = { occurredAt: '2026-03-02T14:30:00.123456Z', partition: 1, offset: '7' };
    expect(decodeTimelineCursor(encodeTimelineCursor(key))).toEqual(key);
    expect(decodeTimelineCursor(encodePositionCursor({ partition: 1, offset: '7' }))).toBeUndefined();
  });
});
