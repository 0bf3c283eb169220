import { describe, expect, test } from 'vitest';
import type { Json } from './eventJson.js';
import { renderJsonb } from './renderJsonb.js';

// Expected texts are what PostgreSQL 15 printed for `$1::jsonb::text` with JSON.stringify(value).
describe('renderJsonb', () => {
  test.each<{ name: string; value: Json; text: string }>([
    {
      name: 'keys by length, then bytes',
      value: { b: 1, aa: [1, 2, { c: null }], a: 'x' },
      text: '{"a": "x", "b": 1, "aa": [1, 2, {"c": null}]}',
    },
    { name: 'upper case sorts before lower case', value: { b: 1, B: 2, ab: 3 }, text: '{"B": 2, "b": 1, "ab": 3}' },
    {
      name: 'key length is counted in UTF-8 bytes',
      value: { é: 1, ab: 2, abc: 3 },
      text: '{"ab": 2, "é": 1, "abc": 3}',
    },
    { name: 'empty containers', value: { a: [], b: {} }, text: '{"a": [], "b": {}}' },
    { name: 'short escapes', value: 'q"b\\n\nr\rt\tb\bf\f', text: '"q\\"b\\\\n\\nr\\rt\\tb\\bf\\f"' },
    { name: 'other control characters as \\u00xx', value: '\u0001\u001f', text: '"\\u0001\\u001f"' },
    { name: 'DEL, non-ASCII, U+2028 and "</" stay literal', value: '\u007fé\u2028</', text: '"\u007fé\u2028</"' },
    {
      name: 'numbers in plain decimal',
      value: [1.5, 1e21, 1e-7, -0, 1.25e-8, -3.5e22],
      text: '[1.5, 1000000000000000000000, 0.0000001, 0, 0.0000000125, -35000000000000000000000]',
    },
    { name: 'booleans and null', value: [true, false, null], text: '[true, false, null]' },
  ])('$name', ({ value, text }) => {
    expect(renderJsonb(value)).toBe(text);
  });
});
