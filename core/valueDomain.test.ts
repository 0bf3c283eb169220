import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  CLINICAL_WINDOW,
  checkEventValues,
  checkInstant,
  checkText,
  describeViolation,
  findUnstorableCharacter,
  parseIsoInstant,
  type TextKind,
  textLimits,
} from './valueDomain.js';

const at = { field: 'medication.display', location: 'RXO-1.2' };
const kindOf = (value: string, kind: TextKind = 'display') => {
  const checked = checkText(value, kind, at);
  return checked.ok ? 'ok' : checked.error.kind;
};

describe('checkText', () => {
  test.each([
    { name: 'plain ASCII', value: 'Amoxicillin 500mg capsules', kind: 'display', expected: 'ok' },
    { name: 'accented and non-Latin text', value: 'Zoë Ångström 李', kind: 'display', expected: 'ok' },
    { name: 'an astral character (surrogate pair)', value: 'pain 😣', kind: 'display', expected: 'ok' },
    { name: 'U+FFFD as sent', value: 'a\ufffdb', kind: 'display', expected: 'ok' },
    { name: 'NUL in a display', value: 'a\u0000b', kind: 'display', expected: 'control-character' },
    { name: 'NUL in free text', value: 'a\u0000b', kind: 'freeText', expected: 'control-character' },
    { name: 'TAB, LF and CR in free text', value: 'one\ttwo\r\nthree', kind: 'freeText', expected: 'ok' },
    { name: 'LF in a display', value: 'one\ntwo', kind: 'display', expected: 'control-character' },
    { name: 'TAB in an identifier', value: 'A\t1', kind: 'identifier', expected: 'control-character' },
    { name: 'ESC in free text', value: 'a\u001bb', kind: 'freeText', expected: 'control-character' },
    { name: 'DEL', value: 'a\u007fb', kind: 'code', expected: 'control-character' },
    { name: 'a C1 control', value: 'a\u0085b', kind: 'freeText', expected: 'control-character' },
    { name: 'a lone high surrogate', value: 'a\ud800b', kind: 'display', expected: 'lone-surrogate' },
    { name: 'a lone low surrogate', value: '\udc00', kind: 'freeText', expected: 'lone-surrogate' },
    { name: 'a high surrogate at the end', value: 'ab\ud83d', kind: 'freeText', expected: 'lone-surrogate' },
    { name: 'a noncharacter U+FFFE', value: 'a\ufffe', kind: 'display', expected: 'noncharacter' },
    { name: 'a noncharacter U+FDD0', value: '\ufdd0', kind: 'display', expected: 'noncharacter' },
    { name: 'an identifier at its limit', value: 'x'.repeat(200), kind: 'identifier', expected: 'ok' },
    { name: 'an identifier over its limit', value: 'x'.repeat(201), kind: 'identifier', expected: 'too-long' },
    { name: 'a 6,000-character control id', value: '1'.repeat(6000), kind: 'identifier', expected: 'too-long' },
    { name: '200 astral characters are 200, not 400', value: '😣'.repeat(200), kind: 'identifier', expected: 'ok' },
  ] as const)('$name', ({ value, kind, expected }) => {
    expect(kindOf(value, kind)).toBe(expected);
  });

  test('a violation names the field, its location, the code point and its position', () => {
    const checked = checkText('ab\u0000', 'display', at);
    expect(checked).toEqual({
      ok: false,
      error: { kind: 'control-character', field: 'medication.display', location: 'RXO-1.2', codePoint: 0, index: 2 },
    });
    if (!checked.ok) expect(describeViolation(checked.error)).toContain('RXO-1.2 (medication.display)');
    if (!checked.ok) expect(describeViolation(checked.error)).toContain('U+0000');
  });

  test('every indexed kind stays well under the PostgreSQL btree row limit in UTF-8', () => {
    for (const [kind, limit] of Object.entries(textLimits)) {
      if (!limit.indexed) continue;
      const bytesPerCodePoint = kind === 'dedupKey' ? 1 : 4;
      expect(limit.maxLength * bytesPerCodePoint, kind).toBeLessThanOrEqual(2704 / 2);
    }
  });

  propTest.prop([fc.string({ unit: 'grapheme', maxLength: 200 })])(
    'accepted text comes back unchanged and within its limit',
    (value) => {
      const checked = checkText(value, 'display', at);
      if (checked.ok) {
        expect(checked.value).toBe(value);
        expect([...value].length).toBeLessThanOrEqual(textLimits.display.maxLength);
      }
    },
  );

  propTest.prop([fc.string({ unit: 'binary', maxLength: 50 }), fc.constantFrom(...Object.keys(textLimits))])(
    'accepted text survives UTF-8 and holds no NUL or surrogate',
    (value, kind) => {
      const checked = checkText(value, kind as TextKind, at);
      if (checked.ok) {
        expect(new TextDecoder().decode(new TextEncoder().encode(value))).toBe(value);
        expect(value.includes('\u0000')).toBe(false);
      }
    },
  );
});

describe('parseIsoInstant', () => {
  const read = (text: string) => {
    const parsed = parseIsoInstant(text, { field: 'occurredAt', location: '/occurredAt' });
    return parsed.ok ? parsed.value.toISOString() : parsed.error.kind;
  };
  test.each([
    { name: 'UTC with seconds', text: '2026-03-01T08:15:00Z', expected: '2026-03-01T08:15:00.000Z' },
    { name: 'without seconds', text: '2026-03-01T08:15Z', expected: '2026-03-01T08:15:00.000Z' },
    { name: 'an offset', text: '2026-07-01T09:30:00+01:00', expected: '2026-07-01T08:30:00.000Z' },
    { name: 'nanoseconds are cut', text: '2026-03-01T08:15:00.123999999Z', expected: '2026-03-01T08:15:00.123Z' },
    { name: '29 February in a leap year', text: '2028-02-29T00:00:00Z', expected: '2028-02-29T00:00:00.000Z' },
    { name: '31 February', text: '2026-02-31T00:00:00Z', expected: 'not-a-calendar-instant' },
    { name: '29 February in a common year', text: '2026-02-29T00:00:00Z', expected: 'not-a-calendar-instant' },
    { name: '31 April', text: '2026-04-31T00:00:00Z', expected: 'not-a-calendar-instant' },
    { name: 'month 13', text: '2026-13-01T00:00:00Z', expected: 'not-a-calendar-instant' },
    { name: 'hour 24', text: '2026-03-01T24:00:00Z', expected: 'not-a-calendar-instant' },
    { name: 'minute 61', text: '2026-03-01T23:61:00Z', expected: 'not-a-calendar-instant' },
    { name: 'a leap second', text: '2026-03-01T23:59:60Z', expected: 'not-a-calendar-instant' },
    { name: 'an offset beyond 14 hours', text: '2026-03-01T00:00:00+15:00', expected: 'not-a-calendar-instant' },
    { name: 'no zone', text: '2026-03-01T00:00:00', expected: 'not-a-calendar-instant' },
    { name: 'year 0000', text: '0000-01-01T00:00:00Z', expected: 'instant-out-of-window' },
    { name: 'year 0001', text: '0001-01-01T00:00:00Z', expected: 'instant-out-of-window' },
    { name: 'year 9999', text: '9999-12-31T23:59:59Z', expected: 'instant-out-of-window' },
    { name: 'the window opens', text: '1900-01-01T00:00:00Z', expected: '1900-01-01T00:00:00.000Z' },
    { name: 'just before the window', text: '1899-12-31T23:59:59Z', expected: 'instant-out-of-window' },
    { name: 'the window closes', text: '2100-12-31T23:59:59Z', expected: '2100-12-31T23:59:59.000Z' },
    { name: 'just after the window', text: '2101-01-01T00:00:00Z', expected: 'instant-out-of-window' },
    { name: 'an offset that moves it out', text: '2100-12-31T23:30:00-01:00', expected: 'instant-out-of-window' },
  ])('$name', ({ text, expected }) => {
    expect(read(text)).toBe(expected);
  });

  const windowDate = fc.date({ min: CLINICAL_WINDOW.from, max: CLINICAL_WINDOW.to, noInvalidDate: true });
  propTest.prop([windowDate])('an accepted instant equals its calendar fields and lies in the window', (date) => {
    const text = date.toISOString();
    const parsed = parseIsoInstant(text, { field: 'occurredAt', location: '/occurredAt' });
    expect(parsed.ok && parsed.value.toISOString()).toBe(text);
  });

  propTest.prop([
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
  ])('any accepted date-time has exactly the calendar fields it was sent with', (year, month, day, hour, minute) => {
    const two = (n: number) => String(n).padStart(2, '0');
    const text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:00Z`;
    const parsed = parseIsoInstant(text, { field: 'occurredAt', location: '/occurredAt' });
    if (parsed.ok) {
      expect(parsed.value.toISOString().slice(0, 19)).toBe(text.slice(0, 19));
      expect(checkInstant(parsed.value, { field: 'x', location: 'x' }).ok).toBe(true);
    }
  });
});

describe('checkInstant', () => {
  test.each([
    { name: 'an invalid Date', value: new Date(Number.NaN), expected: 'not-a-calendar-instant' },
    { name: 'year 9999', value: new Date('9999-01-01T00:00:00Z'), expected: 'instant-out-of-window' },
    { name: 'now-ish', value: new Date('2026-03-01T00:00:00Z'), expected: 'ok' },
  ])('$name', ({ value, expected }) => {
    const checked = checkInstant(value, { field: 'occurredAt', location: 'occurredAt' });
    expect(checked.ok ? 'ok' : checked.error.kind).toBe(expected);
  });
});

describe('checkEventValues', () => {
  const draft = {
    type: 'MedicationOrdered',
    occurredAt: new Date('2026-03-01T00:00:00Z'),
    orderId: 'ORD-1',
    medication: { code: '323509004', display: 'Amoxicillin', dosageText: 'one\ntwice daily' },
    codings: [{ system: 'http://snomed.info/sct', code: '1', display: 'x' }],
  };

  test('an event in the domain has no violation', () => {
    expect(checkEventValues(draft)).toBeUndefined();
  });

  test('a nested field is named by its path, and its text is handed back for locating', () => {
    const found = checkEventValues({ ...draft, medication: { ...draft.medication, display: 'A\u0000' } });
    expect(found?.violation).toMatchObject({ kind: 'control-character', field: 'medication.display' });
    expect(found?.value).toBe('A\u0000');
  });

  test('a field in an array is named without its position', () => {
    const found = checkEventValues({ ...draft, codings: [{ system: 'x'.repeat(501), code: '1', display: null }] });
    expect(found?.violation).toMatchObject({ kind: 'too-long', field: 'codings.system', maxLength: 500 });
  });

  test('an instant outside the window', () => {
    const found = checkEventValues({ ...draft, stopAt: new Date('9999-01-01T00:00:00Z') });
    expect(found?.violation).toMatchObject({ kind: 'instant-out-of-window', field: 'stopAt' });
  });

  test('an identifier may not hold a line break that free text may', () => {
    expect(checkEventValues({ ...draft, orderId: 'A\n1' })?.violation.kind).toBe('control-character');
  });
});

test("instants in the window leave room for the views' arithmetic: a due date a year later is still an ordinary timestamp", () => {
  const yearLater = new Date(CLINICAL_WINDOW.to.getTime() + 366 * 86_400_000);
  expect(yearLater.toISOString()).toMatch(/^\d{4}-/);
  const yearEarlier = new Date(CLINICAL_WINDOW.from.getTime() - 366 * 86_400_000);
  expect(yearEarlier.toISOString()).toMatch(/^\d{4}-/);
});

describe('findUnstorableCharacter', () => {
  const at = { field: 'text', location: '/x' };
  test.each([
    {
      name: 'a lone high surrogate behind a control character',
      value: 'a\u0001\ud800',
      kind: 'lone-surrogate',
      index: 2,
    },
    { name: 'a lone low surrogate behind a noncharacter', value: '\uffff\udc00', kind: 'lone-surrogate', index: 1 },
    { name: 'NUL behind a DEL', value: '\u007f\u0000', kind: 'control-character', index: 1 },
    {
      name: 'a pair, then a lone surrogate (index in code points)',
      value: '\u{1F600}\ud800',
      kind: 'lone-surrogate',
      index: 1,
    },
  ])('finds $name', ({ value, kind, index }) => {
    expect(findUnstorableCharacter(value, at)).toMatchObject({ kind, index });
  });

  test('leaves other rules to checkText: controls, noncharacters, length and pairs are storable', () => {
    expect(findUnstorableCharacter(`\u0001\uffff\u{1F600}${'x'.repeat(10_000)}`, at)).toBeUndefined();
  });
});
