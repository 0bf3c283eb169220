import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { isTestRangeNhsNumber, nhsCheckDigit, parseNhsNumber } from './nhsNumber.js';

/** A valid number from any stem that has a check digit. */
const validNhsNumber = fc
  .stringMatching(/^\d{9}$/)
  .filter((stem) => nhsCheckDigit(stem) !== undefined && !/^(\d)\1{8}$/.test(stem))
  .map((stem) => `${stem}${nhsCheckDigit(stem)}`);

describe('parseNhsNumber', () => {
  test.each([
    { name: 'worked example', raw: '9990000018' },
    { name: 'check value 11 gives 0', raw: '9990000050' },
    { name: 'sample patient A', raw: '9991000216' },
    { name: 'sample patient E', raw: '9995000040' },
    { name: 'spaced 3-3-4', raw: '999 000 0018', expected: '9990000018' },
    { name: 'hyphenated', raw: '999-000-0018', expected: '9990000018' },
  ])('accepts $name', ({ raw, expected }) => {
    expect(parseNhsNumber(raw)).toEqual({ ok: true, value: expected ?? raw });
  });

  test.each([
    { name: 'mistyped last digit', raw: '9991000217', kind: 'bad-check-digit' },
    { name: 'swapped last two digits', raw: '9990000081', kind: 'bad-check-digit' },
    { name: 'stem with check value 10', raw: '9996000010', kind: 'no-valid-check-digit' },
    { name: 'bottom of the test range', raw: '9990000000', kind: 'no-valid-check-digit' },
    { name: 'repdigit placeholder that passes mod 11', raw: '9999999999', kind: 'placeholder' },
    { name: 'zeros', raw: '0000000000', kind: 'placeholder' },
    { name: 'nine digits', raw: '999000001', kind: 'not-ten-digits' },
    { name: 'letters', raw: '99900000I8', kind: 'not-ten-digits' },
    { name: 'full-width digits', raw: '９９９０００００１８', kind: 'not-ten-digits' },
    { name: 'empty', raw: '', kind: 'not-ten-digits' },
  ])('rejects $name as $kind', ({ raw, kind }) => {
    expect(parseNhsNumber(raw)).toEqual({ ok: false, error: { kind } });
  });

  propTest.prop([validNhsNumber])('accepts every generated valid number', (n) => {
    expect(parseNhsNumber(n).ok).toBe(true);
  });

  propTest.prop([validNhsNumber, fc.nat(9), fc.integer({ min: 1, max: 9 })])(
    'rejects any single-digit substitution',
    (n, position, delta) => {
      const digit = (Number(n[position]) + delta) % 10;
      const changed = `${n.slice(0, position)}${digit}${n.slice(position + 1)}`;
      expect(parseNhsNumber(changed).ok).toBe(false);
    },
  );

  propTest.prop([validNhsNumber, fc.nat(8)])('rejects any swap of two unequal adjacent digits', (n, i) => {
    fc.pre(n[i] !== n[i + 1]);
    const swapped = `${n.slice(0, i)}${n[i + 1]}${n[i]}${n.slice(i + 2)}`;
    expect(parseNhsNumber(swapped).ok).toBe(false);
  });

  test('the test range is recognised', () => {
    const a = parseNhsNumber('9991000216');
    expect(a.ok && isTestRangeNhsNumber(a.value)).toBe(true);
    const b = parseNhsNumber('4010232137');
    expect(b.ok && isTestRangeNhsNumber(b.value)).toBe(false);
  });
});
