import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../test/support/parseCsv.js';
import { csvField, csvRecord } from './csvRecord.js';

describe('csvField', () => {
  test.each([
    { name: 'plain text as it is', value: 'E11.9', expected: 'E11.9' },
    { name: 'empty as empty', value: '', expected: '' },
    { name: 'spaces kept, unquoted', value: ' a b ', expected: ' a b ' },
    { name: 'a comma quoted', value: 'Smith, John', expected: '"Smith, John"' },
    { name: 'quotes doubled', value: 'the "usual" dose', expected: '"the ""usual"" dose"' },
    { name: 'a line feed quoted', value: 'line 1\nline 2', expected: '"line 1\nline 2"' },
    { name: 'a carriage return quoted', value: 'a\rb', expected: '"a\rb"' },
    { name: 'JSON quoted', value: '{"a":[1,2]}', expected: '"{""a"":[1,2]}"' },
    { name: 'non-ASCII as it is', value: 'Zoë Ångström', expected: 'Zoë Ångström' },
  ])('$name', ({ value, expected }) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('csvRecord', () => {
  test('fields joined by commas and ended by CRLF', () => {
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  propTest.prop([fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), { maxLength: 8 })])(
    'an RFC 4180 reader gets back every field',
    (records) => {
      const text = records.map(csvRecord).join('');
      // A record of one empty field is an empty line, which the grammar reads as one empty field too.
      expect(parseCsv(text)).toEqual(records);
    },
  );
});
