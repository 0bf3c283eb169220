import { readdirSync, readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  encodingCharactersText,
  type Hl7EncodingCharacters,
  type Hl7Field,
  type Hl7Message,
  type Hl7Segment,
} from './hl7Message.js';
import { parseHl7 } from './parseHl7.js';
import { escapeHl7, serializeHl7 } from './serializeHl7.js';

const samplesDir = new URL('../../test/samples/hl7v2/', import.meta.url);
const encodeUtf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const standard: Hl7EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

describe('escapeHl7', () => {
  test.each([
    { name: 'plain text', value: 'Pneumonia', escaped: 'Pneumonia' },
    { name: 'every delimiter', value: '|^~&', escaped: '\\F\\\\S\\\\R\\\\T\\' },
    { name: 'the escape character first', value: '\\T\\', escaped: '\\E\\T\\E\\' },
    { name: 'A&E', value: 'A&E', escaped: 'A\\T\\E' },
    { name: 'CR and LF as hex', value: 'a\r\nb', escaped: 'a\\X0D\\\\X0A\\b' },
    { name: 'MLLP framing bytes as hex', value: '\x0b\x1c', escaped: '\\X0B\\\\X1C\\' },
    { name: 'non-ASCII is left to the charset', value: 'Siân Ŷ', escaped: 'Siân Ŷ' },
    { name: 'the truncation character only when declared', value: '#', escaped: '#' },
  ])('$name', ({ value, escaped }) => {
    expect(escapeHl7(value, standard)).toBe(escaped);
  });

  test('the truncation character is escaped as \\P\\ when MSH-2 declares it', () => {
    expect(escapeHl7('50#', { ...standard, truncation: '#' })).toBe('50\\P\\');
  });
});

describe('serializeHl7', () => {
  test('writes MSH-1 and MSH-2 from the encoding characters and ends every segment with CR', () => {
    const message: Hl7Message = {
      encoding: standard,
      segments: [
        { id: 'MSH', fields: [[[['ignored']]], [[['ignored']]], [[['PAS']]]] },
        { id: 'NTE', fields: [[[['1']]], [[['']]], [[['a^b'], ['c', 'd&e']], [['f']]]] },
        { id: 'ZZZ', fields: [] },
      ],
    };
    expect(serializeHl7(message)).toBe('MSH|^~\\&|PAS\rNTE|1||a\\S\\b^c&d\\T\\e~f\rZZZ\r');
  });

  const samples = readdirSync(samplesDir)
    .filter((file) => file.endsWith('.hl7') && file !== 'bad_unparseable_msh.hl7')
    .map((file) => ({ name: file, file }));

  test.each(samples)('$name is written back byte for byte', ({ file }) => {
    const raw = readFileSync(new URL(file, samplesDir));
    const parsed = parseHl7(raw);
    const text = parsed.ok ? serializeHl7(parsed.value) : '';
    const bytes = file.includes('utf8') ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
    expect(bytes.equals(raw)).toBe(true);
  });
});

describe('serializeHl7 then parseHl7', () => {
  const delimiterPool = [
    '|',
    '^',
    '~',
    '\\',
    '&',
    '#',
    '!',
    '@',
    '$',
    '%',
    '*',
    '+',
    '/',
    ':',
    ';',
    '=',
    '?',
    '{',
    '}',
  ];
  const arbEncoding: fc.Arbitrary<Hl7EncodingCharacters> = fc
    .uniqueArray(fc.constantFrom(...delimiterPool), { minLength: 5, maxLength: 6 })
    .map(([field = '', component = '', repetition = '', escapeChar = '', subcomponent = '', truncation]) => ({
      field,
      component,
      repetition,
      escape: escapeChar,
      subcomponent,
      ...(truncation === undefined ? {} : { truncation }),
    }));

  const char = fc.oneof(
    fc.constantFrom(...delimiterPool, '\r', '\n', '\x0b', '\x1c', ' ', 'X', 'F', 'é', 'Ŷ', '€', '\u0080', '😀'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  );
  const leaf = fc.string({ unit: char, maxLength: 8 });
  const nonBlankLeaf = leaf.filter((value) => value.trim() !== '');
  const arbField: fc.Arbitrary<Hl7Field> = fc.array(
    fc.array(fc.array(leaf, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    {
      minLength: 1,
      maxLength: 2,
    },
  );
  const arbSegment: fc.Arbitrary<Hl7Segment> = fc.record({
    id: fc.stringMatching(/^[A-Z][A-Z0-9]{2}$/).filter((id) => id !== 'MSH'),
    fields: fc.array(arbField, { maxLength: 6 }),
  });
  const one = (value: string): Hl7Field => [[[value]]];

  const arbMessage: fc.Arbitrary<Hl7Message> = fc
    .record({
      encoding: arbEncoding,
      msh3to8: fc.array(arbField, { minLength: 6, maxLength: 6 }),
      messageType: fc.tuple(nonBlankLeaf, leaf),
      controlId: nonBlankLeaf,
      processingId: arbField,
      version: nonBlankLeaf,
      msh13to17: fc.array(arbField, { minLength: 5, maxLength: 5 }),
      msh19on: fc.array(arbField, { maxLength: 3 }),
      body: fc.array(arbSegment, { maxLength: 6 }),
    })
    .map(({ encoding, msh3to8, messageType, controlId, processingId, version, msh13to17, msh19on, body }) => ({
      encoding,
      segments: [
        {
          id: 'MSH',
          fields: [
            one(encoding.field),
            one(encodingCharactersText(encoding)),
            ...msh3to8,
            [[[messageType[0]], [messageType[1]]]],
            one(controlId),
            processingId,
            one(version),
            ...msh13to17,
            one('UNICODE UTF-8'),
            ...msh19on,
          ],
        },
        ...body,
      ],
    }));

  propTest.prop([arbMessage])('gives back the same message for any UTF-8 message', (message) => {
    expect(parseHl7(encodeUtf8(serializeHl7(message)))).toEqual({ ok: true, value: message });
  });

  propTest.prop([arbMessage])('writes exactly one CR per segment and no LF', (message) => {
    const text = serializeHl7(message);
    expect(text.split('\r')).toHaveLength(message.segments.length + 1);
    expect(text.endsWith('\r')).toBe(true);
    expect(text.includes('\n')).toBe(false);
  });
});
