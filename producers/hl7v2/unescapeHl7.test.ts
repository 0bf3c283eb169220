import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { Hl7Charset } from './decodeHl7Text.js';
import type { Hl7EncodingCharacters } from './hl7Message.js';
import { escapeHl7 } from './serializeHl7.js';
import { unescapeHl7 } from './unescapeHl7.js';

const standard: Hl7EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};
const withTruncation: Hl7EncodingCharacters = { ...standard, truncation: '#' };

describe('unescapeHl7', () => {
  test.each<{ name: string; text: string; value: string; charset?: Hl7Charset; encoding?: Hl7EncodingCharacters }>([
    { name: 'text without escapes', text: 'Pneumonia', value: 'Pneumonia' },
    { name: '\\F\\ field separator', text: 'a\\F\\b', value: 'a|b' },
    { name: '\\S\\ component separator', text: 'a\\S\\b', value: 'a^b' },
    { name: '\\T\\ subcomponent separator', text: 'A\\T\\E', value: 'A&E' },
    { name: '\\R\\ repetition separator', text: 'a\\R\\b', value: 'a~b' },
    { name: '\\E\\ escape character', text: 'a\\E\\b', value: 'a\\b' },
    { name: 'escapes back to back', text: '\\S\\\\T\\\\E\\', value: '^&\\' },
    { name: '\\X0D\\ a carriage return', text: 'line\\X0D\\next', value: 'line\rnext' },
    { name: '\\X\\ with several bytes', text: '\\X0D0A\\', value: '\r\n' },
    { name: '\\X\\ lower-case hex', text: '\\X0d\\', value: '\r' },
    { name: '\\X\\ UTF-8 bytes', text: 'M\\XC3A9\\ni\\XC3A8\\re', value: 'Ménière', charset: 'utf-8' },
    { name: '\\X\\ one UTF-8 character split over two escapes', text: '\\XC3\\\\XA9\\', value: 'é', charset: 'utf-8' },
    { name: '\\X\\ an ISO 8859-1 byte', text: 'M\\XE9\\n', value: 'Mén', charset: 'iso-8859-1' },
    { name: '\\X\\ above 0x7F in ASCII falls back to ISO 8859-1', text: '\\XA3\\5', value: '£5' },
    { name: '\\P\\ with a truncation character', text: 'a\\P\\b', value: 'a#b', encoding: withTruncation },
    { name: '\\P\\ without one is kept', text: 'a\\P\\b', value: 'a\\P\\b' },
    { name: '\\H\\ and \\N\\ highlighting are kept', text: '\\H\\urgent\\N\\', value: '\\H\\urgent\\N\\' },
    { name: '\\.br\\ line break is kept', text: 'one\\.br\\two', value: 'one\\.br\\two' },
    { name: '\\.sp 2\\ is kept', text: '\\.sp 2\\', value: '\\.sp 2\\' },
    { name: '\\Z…\\ local escapes are kept', text: '\\Zfoo\\', value: '\\Zfoo\\' },
    { name: '\\C…\\ charset switches are kept', text: '\\C2842\\x', value: '\\C2842\\x' },
    { name: 'an empty sequence is kept', text: 'a\\\\b', value: 'a\\\\b' },
    {
      name: 'another escape character',
      text: 'a!T!b!E!c\\d',
      value: 'a&b!c\\d',
      encoding: { ...standard, escape: '!' },
    },
  ])('$name', ({ text, value, charset = 'ascii', encoding = standard }) => {
    expect(unescapeHl7(text, encoding, charset)).toEqual({ ok: true, value });
  });

  test.each<{ name: string; text: string; problem: 'unterminated' | 'bad-hex'; charset?: Hl7Charset }>([
    { name: 'a lone escape character', text: 'C:\\temp', problem: 'unterminated' },
    { name: 'an escape at the very end', text: 'abc\\', problem: 'unterminated' },
    { name: 'an unterminated sequence after a good one', text: '\\T\\ and \\S', problem: 'unterminated' },
    { name: '\\X\\ with no digits', text: '\\X\\', problem: 'bad-hex' },
    { name: '\\X\\ with an odd number of digits', text: '\\X0D0\\', problem: 'bad-hex' },
    { name: '\\X\\ with a non-hex digit', text: '\\X0G\\', problem: 'bad-hex' },
    { name: '\\X\\ bytes that are not UTF-8', text: '\\XE9\\', problem: 'bad-hex', charset: 'utf-8' },
    { name: '\\X\\ half a UTF-8 character', text: '\\XC3\\x', problem: 'bad-hex', charset: 'utf-8' },
  ])('fails on $name', ({ text, problem, charset = 'ascii' }) => {
    expect(unescapeHl7(text, standard, charset)).toEqual({ ok: false, error: { problem } });
  });

  const tricky = fc.constantFrom('|', '^', '~', '\\', '&', '#', '\r', '\n', '\x0b', '\x1c', 'X', 'F', 'é', 'Ŷ', '😀');
  const anyText = fc.string({ unit: fc.oneof(tricky, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) });

  propTest.prop([anyText, fc.constantFrom(standard, withTruncation), fc.constantFrom<Hl7Charset>('ascii', 'utf-8')])(
    'undoes escapeHl7 for any text',
    (text, encoding, charset) => {
      expect(unescapeHl7(escapeHl7(text, encoding), encoding, charset)).toEqual({ ok: true, value: text });
    },
  );

  propTest.prop([fc.string({ unit: 'binary' })])('returns a result for any text', (text) => {
    expect(typeof unescapeHl7(text, standard, 'utf-8').ok).toBe('boolean');
  });
});
