import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { encodeCursor, type FeedCursor, type FeedMark, parseFeedCursor } from './feedCursor.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const arbMark: fc.Arbitrary<FeedMark> = fc.record(
  {
    offset: fc.bigInt({ min: 0n, max: 9_223_372_036_854_775_807n }),
    seq: fc.integer({ min: 0, max: 2_147_483_647 }),
    row: fc.record({
      nhsNumber: fc.stringMatching(/^\d{10}$/),
      orderId: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => !s.includes('\0')),
    }),
  },
  { requiredKeys: ['offset', 'seq'] },
);
const arbCursor: fc.Arbitrary<FeedCursor> = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2_147_483_647 }), arbMark), { selector: ([p]) => p, maxLength: 8 })
  .map((entries) => new Map(entries));

describe('the feed cursor', () => {
  test.prop([arbCursor])('decodes to what was encoded', (cursor) => {
    expect(parseFeedCursor(encodeCursor(cursor))).toEqual({ ok: true, value: cursor });
  });

  test('a version 1 cursor (partition → offset) reads as every row at that offset seen', () => {
    expect(parseFeedCursor(encode({ '0': '17', '2': '4' }))).toEqual({
      ok: true,
      value: new Map([
        [0, { offset: 17n, seq: 0 }],
        [2, { offset: 4n, seq: 0 }],
      ]),
    });
  });

  test.each([
    { name: 'not base64url', text: 'a b' },
    { name: 'not JSON', text: Buffer.from('{').toString('base64url') },
    { name: 'a JSON list', text: encode([1]) },
    { name: 'an offset above bigint', text: encode({ v: 2, after: [[0, '9999999999999999999', 0]] }) },
    { name: 'a v1 offset above bigint', text: encode({ '0': '9999999999999999999' }) },
    { name: 'a negative offset', text: encode({ v: 2, after: [[0, '-1', 0]] }) },
    { name: 'an offset as a number', text: encode({ v: 2, after: [[0, 5, 0]] }) },
    { name: 'a partition above int', text: encode({ v: 2, after: [[2_147_483_648, '0', 0]] }) },
    { name: 'a fractional seq', text: encode({ v: 2, after: [[0, '0', 0.5]] }) },
    { name: 'an NHS number of 9 digits', text: encode({ v: 2, after: [[0, '0', 0, '123456789', 'O1']] }) },
    { name: 'an order id with NUL', text: encode({ v: 2, after: [[0, '0', 0, '9991000216', 'O\u00001']] }) },
    { name: 'an order id with a lone surrogate', text: encode({ v: 2, after: [[0, '0', 0, '9991000216', '\ud800']] }) },
    { name: 'an empty order id', text: encode({ v: 2, after: [[0, '0', 0, '9991000216', '']] }) },
    { name: 'four fields', text: encode({ v: 2, after: [[0, '0', 0, '9991000216']] }) },
    {
      name: 'a partition twice',
      text: encode({
        v: 2,
        after: [
          [0, '1', 0],
          [0, '2', 0],
        ],
      }),
    },
    { name: 'another version', text: encode({ v: 3, after: [] }) },
    { name: 'no list', text: encode({ v: 2 }) },
  ])('refuses $name, with a reason', ({ text }) => {
    const decoded = parseFeedCursor(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(/\w/);
  });

  test.prop([fc.string({ maxLength: 200 })])('never throws, whatever the text', (text) => {
    expect(() => parseFeedCursor(text)).not.toThrow();
  });
});
