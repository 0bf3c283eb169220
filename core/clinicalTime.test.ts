import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { parseHl7Timestamp, readHl7Timestamp } from './clinicalTime.js';

const instant = (ts: string, zone?: string): string | undefined => {
  const parsed = parseHl7Timestamp(ts, zone);
  return parsed.ok ? parsed.value.toISOString() : undefined;
};

describe('parseHl7Timestamp', () => {
  test.each([
    { name: 'minute precision in winter (a sample PV1-44)', ts: '202603010815', iso: '2026-03-01T08:15:00.000Z' },
    { name: 'seconds in winter: GMT', ts: '20260302143000', iso: '2026-03-02T14:30:00.000Z' },
    { name: 'a summer local time is BST', ts: '20260701093000', iso: '2026-07-01T08:30:00.000Z' },
    { name: 'the last minute of GMT before BST', ts: '202603290059', iso: '2026-03-29T00:59:00.000Z' },
    { name: 'the first minute of BST', ts: '202603290200', iso: '2026-03-29T01:00:00.000Z' },
    { name: 'the last minute of BST', ts: '202610250059', iso: '2026-10-24T23:59:00.000Z' },
    { name: 'the first unambiguous minute of GMT', ts: '202610250200', iso: '2026-10-25T02:00:00.000Z' },
    { name: 'a date alone is local midnight', ts: '20260701', iso: '2026-06-30T23:00:00.000Z' },
    { name: 'a year alone is 1 January', ts: '2026', iso: '2026-01-01T00:00:00.000Z' },
    { name: 'year and month', ts: '202608', iso: '2026-07-31T23:00:00.000Z' },
    { name: 'an hour alone', ts: '2026070109', iso: '2026-07-01T08:00:00.000Z' },
    { name: 'an explicit +0000 offset', ts: '20260302115500+0000', iso: '2026-03-02T11:55:00.000Z' },
    {
      name: 'an explicit +0100 offset in winter is used as sent',
      ts: '20260302115500+0100',
      iso: '2026-03-02T10:55:00.000Z',
    },
    { name: 'a negative offset', ts: '20260302115500-0530', iso: '2026-03-02T17:25:00.000Z' },
    { name: 'an offset on a date alone', ts: '20260314+0000', iso: '2026-03-14T00:00:00.000Z' },
    { name: 'a fraction of a second', ts: '20260314093000.1234', iso: '2026-03-14T09:30:00.123Z' },
    { name: 'a one-digit fraction', ts: '20260314093000.5+0000', iso: '2026-03-14T09:30:00.500Z' },
    { name: 'a leap day', ts: '20280229120000', iso: '2028-02-29T12:00:00.000Z' },
    { name: 'surrounding spaces', ts: ' 202603010815 ', iso: '2026-03-01T08:15:00.000Z' },
  ])('$name: $ts → $iso', ({ ts, iso }) => {
    expect(instant(ts)).toBe(iso);
  });

  test('a time in the spring gap is read with the offset before the change (01:30 GMT = 02:30 BST)', () => {
    expect(instant('202603290130')).toBe('2026-03-29T01:30:00.000Z');
  });

  test('another zone can be named', () => {
    expect(instant('20260701093000', 'America/New_York')).toBe('2026-07-01T13:30:00.000Z');
    expect(instant('20260701093000', 'UTC')).toBe('2026-07-01T09:30:00.000Z');
  });

  test.each([
    { name: 'empty', ts: '' },
    { name: 'letters', ts: '2026O301' },
    { name: 'month 13', ts: '20261301' },
    { name: 'month 00', ts: '20260001' },
    { name: 'day 00', ts: '20260300' },
    { name: '30 February', ts: '20260230' },
    { name: '29 February in a common year', ts: '20260229' },
    { name: 'hour 24', ts: '202603012400' },
    { name: 'minute 60', ts: '202603011060' },
    { name: 'second 60', ts: '20260301100060' },
    { name: 'an odd number of digits', ts: '2026030108151' },
    { name: 'a fraction without seconds', ts: '202603010815.5' },
    { name: 'an empty fraction', ts: '20260301081500.' },
    { name: 'a two-digit offset', ts: '20260301081500+01' },
    { name: 'an offset with minutes 60', ts: '20260301081500+0060' },
    { name: 'an offset beyond 14 hours', ts: '20260301081500+1500' },
    { name: 'an ISO string', ts: '2026-03-01T08:15:00Z' },
    { name: 'year 0000', ts: '00000101' },
  ])('rejects $name', ({ ts }) => {
    expect(parseHl7Timestamp(ts)).toEqual({ ok: false, error: { kind: 'invalid-timestamp' } });
  });

  test('an unknown zone name is a configuration bug and throws', () => {
    expect(() => parseHl7Timestamp('202603010815', 'Europe/Atlantis')).toThrow(RangeError);
  });

  propTest.prop([fc.string()])('never throws for any string in a valid zone', (ts) => {
    expect(typeof parseHl7Timestamp(ts).ok).toBe('boolean');
  });

  propTest.prop([
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  ])('a UTC time written with +0000 reads back as the same second', (date) => {
    const ts = `${date.toISOString().slice(0, 19).replace(/[-T:]/g, '')}+0000`;
    const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
    expect(parseHl7Timestamp(ts)).toEqual({ ok: true, value: seconds });
  });
});

describe('readHl7Timestamp', () => {
  test('says how precise the source was', () => {
    const precision = (ts: string) => {
      const read = readHl7Timestamp(ts);
      return read.ok ? read.value.precision : undefined;
    };
    expect(
      ['2026', '202603', '20260301', '2026030108', '202603010815', '20260301081500', '20260301081500.1'].map(precision),
    ).toEqual(['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction']);
  });

  test('the repeated autumn hour is flagged and read as its first occurrence (BST)', () => {
    expect(readHl7Timestamp('20261025013000')).toEqual({
      ok: true,
      value: { instant: new Date('2026-10-25T00:30:00Z'), precision: 'second', hadOffset: false, ambiguous: true },
    });
  });

  test('an explicit offset is never ambiguous', () => {
    const read = readHl7Timestamp('20261025013000+0000');
    expect(read.ok && read.value).toMatchObject({
      instant: new Date('2026-10-25T01:30:00Z'),
      hadOffset: true,
      ambiguous: false,
    });
  });

  test('an ordinary local time is not ambiguous', () => {
    const read = readHl7Timestamp('20261025023000');
    expect(read.ok && read.value).toMatchObject({ instant: new Date('2026-10-25T02:30:00Z'), ambiguous: false });
  });
});
