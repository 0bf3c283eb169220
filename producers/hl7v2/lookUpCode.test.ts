import { expect, test } from 'vitest';
import { lookUpCode } from './lookUpCode.js';

const table = { NW: 'ordered', CA: 'cancelled' } as const;

test.each([
  { code: 'NW', answer: 'ordered' },
  { code: 'CA', answer: 'cancelled' },
  { code: 'nw', answer: undefined },
  { code: ' NW', answer: undefined },
  { code: '', answer: undefined },
  { code: 'toString', answer: undefined },
  { code: '__proto__', answer: undefined },
])('lookUpCode("$code") is $answer', ({ code, answer }) => {
  expect(lookUpCode(table, code)).toBe(answer);
});
