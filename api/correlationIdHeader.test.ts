import { describe, expect, test } from 'vitest';
import { CORRELATION_ID_MAX_LENGTH } from '../core/valueDomain.js';
import { readCorrelationIdHeader } from './correlationIdHeader.js';

describe('the X-Correlation-Id a client sends', () => {
  test.each([
    { name: 'absent: one is made', raw: undefined, taken: undefined },
    { name: 'a uuid', raw: '0b7c1f9e-3c39-4d6e-9a4e-2f1d5b8e7a10', taken: '0b7c1f9e-3c39-4d6e-9a4e-2f1d5b8e7a10' },
    {
      name: 'exactly the limit',
      raw: 'c'.repeat(CORRELATION_ID_MAX_LENGTH),
      taken: 'c'.repeat(CORRELATION_ID_MAX_LENGTH),
    },
  ])('$name is taken as it is', ({ raw, taken }) => {
    expect(readCorrelationIdHeader(raw)).toBe(taken);
  });

  test.each([
    {
      name: 'one over the limit',
      raw: 'c'.repeat(CORRELATION_ID_MAX_LENGTH + 1),
      says: `${CORRELATION_ID_MAX_LENGTH + 1} characters`,
    },
    { name: '6,000 characters', raw: 'c'.repeat(6000), says: '6000 characters' },
    { name: 'empty', raw: '', says: 'empty' },
    { name: 'with a space', raw: 'two words', says: 'spaces' },
    { name: 'with a control character', raw: 'a\tb', says: 'control' },
    { name: 'non-ASCII', raw: 'caf\u00e9', says: 'non-ASCII' },
    { name: 'sent twice', raw: ['a', 'b'], says: 'more than once' },
  ])('$name is refused naming the header, never cut', ({ raw, says }) => {
    expect(readCorrelationIdHeader(raw)).toMatchObject({
      code: 'CEL_ERR_BAD_CORRELATION_ID',
      location: '/headers/x-correlation-id',
      detail: expect.stringContaining(says),
    });
  });
});
