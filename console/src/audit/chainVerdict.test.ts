import { describe, expect, it } from 'vitest';
import { describeVerdict, normaliseNhsNumber, utcTime } from './chainVerdict.js';

describe("the audit page's chain verdict", () => {
  it('says ok with the number of entries', () => {
    expect(describeVerdict({ nhsNumber: '9434765919', entries: 3, ok: true })).toEqual({
      headline: 'ok: 3 entries, every link holds',
      details: [],
    });
  });
  it('says broken and where', () => {
    const said = describeVerdict({
      nhsNumber: '9434765919',
      entries: 4,
      ok: false,
      firstBrokenLink: { chainSeq: 2, partition: 1, offset: '17', eventId: 'e-1', reason: 'hash mismatch' },
      missing: [{ reason: 'dead-lettered', topic: 'clinical.events', partition: 0, offset: '5' }],
    });
    expect(said.headline).toBe('broken: 4 entries checked');
    expect(said.details).toEqual([
      'First broken link at entry 2 (partition 1, offset 17), event e-1: hash mismatch',
      'Missing from the index (dead-lettered): clinical.events partition 0 offset 5',
    ]);
  });
  it('is not ok when records are missing even if every link holds', () => {
    const said = describeVerdict({
      nhsNumber: '9434765919',
      entries: 1,
      ok: true,
      missing: [{ reason: 'not-indexed', topic: 't', partition: 0, offset: '1' }],
    });
    expect(said.headline).toMatch(/^broken/);
  });
});

describe('NHS numbers as typed', () => {
  it('takes ten digits with spaces', () => {
    expect(normaliseNhsNumber(' 943 476 5919 ')).toEqual({ ok: true, value: '9434765919' });
  });
  it('refuses anything else', () => {
    expect(normaliseNhsNumber('94347659')).toEqual({ ok: false, error: 'An NHS number is 10 digits' });
  });
});

describe('times on the audit and operations pages', () => {
  it('are shown in UTC to the second', () => {
    expect(utcTime('2026-12-08T02:31:05.123Z')).toBe('2026-12-08 02:31:05 UTC');
  });
});
