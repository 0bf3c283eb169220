/**
 * The NHS number: 10 ASCII digits whose last is a modulus-11 check digit. Parsing normalises
 * spaces and hyphens, rejects repdigit placeholders, and never echoes the value in an error.
 * Pure.
 */
import type { Brand } from './brand.js';
import { err, ok, type Result } from './result.js';

export type NhsNumber = Brand<string, 'NhsNumber'>;

export type NhsNumberError =
  | { readonly kind: 'not-ten-digits' }
  | { readonly kind: 'no-valid-check-digit' }
  | { readonly kind: 'bad-check-digit' }
  | { readonly kind: 'placeholder' };

/** Check digit for a 9-digit stem, or undefined when no valid NHS number has that stem. */
export function nhsCheckDigit(stem: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (stem.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? undefined : check;
}

export function parseNhsNumber(raw: string): Result<NhsNumber, NhsNumberError> {
  const digits = raw.replace(/[\s-]/g, '');
  // Without the u flag \d is ASCII-only, so full-width digits fail here as they must.
  if (!/^\d{10}$/.test(digits)) return err({ kind: 'not-ten-digits' });
  if (/^(\d)\1{9}$/.test(digits)) return err({ kind: 'placeholder' });
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === undefined) return err({ kind: 'no-valid-check-digit' });
  if (expected !== digits.charCodeAt(9) - 48) return err({ kind: 'bad-check-digit' });
  return ok(digits as NhsNumber);
}

/** Numbers 999 000 0000 – 999 999 9999 are never issued: test data. */
export function isTestRangeNhsNumber(nhsNumber: NhsNumber): boolean {
  return nhsNumber.startsWith('999');
}

export function describeNhsNumberError(error: NhsNumberError): string {
  switch (error.kind) {
    case 'not-ten-digits':
      return 'NHS number is not 10 digits';
    case 'no-valid-check-digit':
      return 'NHS number cannot be valid: its first nine digits give a check value of 10';
    case 'bad-check-digit':
      return 'NHS number fails the modulus 11 check';
    case 'placeholder':
      return 'NHS number is a repeated-digit placeholder, not a real number';
  }
}
