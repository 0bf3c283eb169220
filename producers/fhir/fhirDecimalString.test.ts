import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fhirDecimalString } from './fhirDecimalString.js';

describe('fhirDecimalString', () => {
  test.each([
    { value: 500, text: '500' },
    { value: 2.5, text: '2.5' },
    { value: 0.25, text: '0.25' },
    // JSON.parse('2.50') is 2.5: the trailing zero is gone before the mapper sees the body.
    { value: JSON.parse('2.50') as number, text: '2.5' },
    { value: JSON.parse('1.0') as number, text: '1' },
    { value: 1e-7, text: '0.0000001' },
    { value: 1.5e-7, text: '0.00000015' },
    { value: -3e-7, text: '-0.0000003' },
    { value: 1e21, text: '1000000000000000000000' },
    { value: 1.25e22, text: '12500000000000000000000' },
  ])('$value → $text', ({ value, text }) => {
    expect(fhirDecimalString(value)).toBe(text);
  });

  propTest.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])(
    'writes a plain decimal that reads back as the same number',
    (value) => {
      const text = fhirDecimalString(value);
      expect(text).toMatch(/^-?\d+(\.\d+)?$/);
      expect(Number(text)).toBe(value === 0 ? 0 : value);
    },
  );
});
