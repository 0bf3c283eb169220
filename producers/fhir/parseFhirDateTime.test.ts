import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fhirInstantAt, firstFhirInstant, parseFhirDateTime } from './parseFhirDateTime.js';

const read = (value: string) => {
  const parsed = parseFhirDateTime(value);
  return parsed.ok ? { iso: parsed.value.instant.toISOString(), precision: parsed.value.precision } : parsed.error;
};

describe('parseFhirDateTime', () => {
  test.each([
    { name: 'Z', value: '2026-03-05T12:00:00Z', iso: '2026-03-05T12:00:00.000Z', precision: 'time' },
    {
      name: '+00:00 (the sample Encounter)',
      value: '2026-03-04T17:20:00+00:00',
      iso: '2026-03-04T17:20:00.000Z',
      precision: 'time',
    },
    {
      name: 'a positive offset',
      value: '2026-07-01T09:30:00+01:00',
      iso: '2026-07-01T08:30:00.000Z',
      precision: 'time',
    },
    {
      name: 'a negative offset',
      value: '2026-03-02T11:55:00-05:30',
      iso: '2026-03-02T17:25:00.000Z',
      precision: 'time',
    },
    {
      name: 'fractional seconds, cut to ms',
      value: '2026-03-05T12:00:00.123456789Z',
      iso: '2026-03-05T12:00:00.123Z',
      precision: 'time',
    },
    {
      name: '+14:00, the largest offset',
      value: '2026-03-05T12:00:00+14:00',
      iso: '2026-03-04T22:00:00.000Z',
      precision: 'time',
    },
    {
      name: 'a date in winter is London midnight',
      value: '2026-03-04',
      iso: '2026-03-04T00:00:00.000Z',
      precision: 'day',
    },
    {
      name: 'a date in summer is BST midnight',
      value: '2026-07-01',
      iso: '2026-06-30T23:00:00.000Z',
      precision: 'day',
    },
    { name: 'a month', value: '2026-03', iso: '2026-03-01T00:00:00.000Z', precision: 'month' },
    { name: 'a year', value: '2026', iso: '2026-01-01T00:00:00.000Z', precision: 'year' },
    { name: 'a leap day', value: '2028-02-29T08:00:00Z', iso: '2028-02-29T08:00:00.000Z', precision: 'time' },
  ])('$name: $value', ({ value, iso, precision }) => {
    expect(read(value)).toEqual({ iso, precision });
  });

  test.each([
    { name: 'a time without a zone', value: '2026-03-05T12:00:00', error: 'time-without-zone' },
    { name: 'a fraction without a zone', value: '2026-03-05T12:00:00.5', error: 'time-without-zone' },
    { name: 'no seconds', value: '2026-03-05T12:00Z', error: 'malformed' },
    { name: 'HL7 form', value: '20260305120000+0000', error: 'malformed' },
    { name: 'a space for T', value: '2026-03-05 12:00:00Z', error: 'malformed' },
    { name: 'a zone on a date alone', value: '2026-03-05Z', error: 'malformed' },
    { name: 'month 13', value: '2026-13-01', error: 'malformed' },
    { name: '30 February', value: '2026-02-30', error: 'malformed' },
    { name: '29 February in a common year', value: '2026-02-29T00:00:00Z', error: 'malformed' },
    { name: 'day 0', value: '2026-03-00', error: 'malformed' },
    { name: 'year 0000', value: '0000-01-01', error: 'malformed' },
    { name: 'hour 24', value: '2026-03-05T24:00:00Z', error: 'malformed' },
    { name: 'minute 60', value: '2026-03-05T12:60:00Z', error: 'malformed' },
    { name: 'second 60, never read as the next minute', value: '2026-03-05T23:59:60Z', error: 'malformed' },
    { name: 'a real leap second, which a Date cannot hold', value: '2016-12-31T23:59:60Z', error: 'malformed' },
    { name: 'offset beyond 14:00', value: '2026-03-05T12:00:00+14:30', error: 'malformed' },
    { name: 'offset minutes 60', value: '2026-03-05T12:00:00+01:60', error: 'malformed' },
    { name: 'an empty string', value: '', error: 'malformed' },
    { name: 'surrounding spaces', value: ' 2026-03-05 ', error: 'malformed' },
  ])('$name is refused: $value', ({ value, error }) => {
    expect(read(value)).toBe(error);
  });

  propTest.prop([
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
  ])('reads back every instant written in ISO form', (date) => {
    const parsed = parseFhirDateTime(date.toISOString());
    expect(parsed.ok && parsed.value.instant.getTime()).toBe(date.getTime());
  });

  propTest.prop([fc.string()])('never throws', (value) => {
    expect(() => parseFhirDateTime(value)).not.toThrow();
  });
});

describe('fhirInstantAt and firstFhirInstant', () => {
  test('a time without a zone is an invalid-value at the element', () => {
    expect(fhirInstantAt('2026-03-05T12:00:00', 'Condition.recordedDate')).toEqual({
      ok: false,
      error: {
        kind: 'invalid-value',
        location: 'Condition.recordedDate',
        reason: 'Condition.recordedDate has a time without a zone (Z or ±hh:mm), which FHIR R4 requires',
      },
    });
  });

  test('takes the first candidate present', () => {
    const at = firstFhirInstant(
      [
        { value: undefined, location: 'Condition.recordedDate' },
        { value: '2026-03-05T09:05:00Z', location: 'Condition.meta.lastUpdated' },
      ],
      'why',
    );
    expect(at).toEqual({ ok: true, value: new Date('2026-03-05T09:05:00Z') });
  });

  test('a present but bad first candidate is not skipped for a good second one', () => {
    const at = firstFhirInstant(
      [
        { value: 'yesterday', location: 'Condition.recordedDate' },
        { value: '2026-03-05T09:05:00Z', location: 'Condition.meta.lastUpdated' },
      ],
      'why',
    );
    expect(at.ok ? undefined : at.error.location).toBe('Condition.recordedDate');
  });

  test('none present is required-field-missing at the first, naming the fallbacks', () => {
    const at = firstFhirInstant(
      [
        { value: undefined, location: 'Condition.recordedDate' },
        { value: undefined, location: 'Condition.meta.lastUpdated' },
      ],
      'it is the time the diagnosis was recorded',
    );
    expect(at).toEqual({
      ok: false,
      error: {
        kind: 'required-field-missing',
        location: 'Condition.recordedDate',
        reason:
          'Condition.recordedDate, else Condition.meta.lastUpdated is required: it is the time the diagnosis was recorded',
      },
    });
  });
});
