import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { Hl7EncodingCharacters } from './hl7Message.js';
import { parseHl7Segment } from './parseHl7Segment.js';

const standard: Hl7EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

describe('parseHl7Segment', () => {
  test.each([
    {
      name: 'MSH keeps MSH-1 and MSH-2 verbatim, so MSH-3 is the third field',
      line: 'MSH|^~\\&|PAS|RXX01',
      segment: { id: 'MSH', fields: [[[['|']]], [[['^~\\&']]], [[['PAS']]], [[['RXX01']]]] },
    },
    {
      name: 'empty and trailing fields are kept',
      line: 'PV1|1||',
      segment: { id: 'PV1', fields: [[[['1']]], [[['']]], [[['']]]] },
    },
    { name: 'a segment with no fields', line: 'ZZZ', segment: { id: 'ZZZ', fields: [] } },
    { name: 'a segment with one empty field', line: 'ZZZ|', segment: { id: 'ZZZ', fields: [[[['']]]] } },
    {
      name: 'the nesting: repetitions, components, subcomponents',
      line: 'PID|1||9991000216^^^NHS^NH~H1^^^RXX&1.2&ISO^MR',
      segment: {
        id: 'PID',
        fields: [
          [[['1']]],
          [[['']]],
          [
            [['9991000216'], [''], [''], ['NHS'], ['NH']],
            [['H1'], [''], [''], ['RXX', '1.2', 'ISO'], ['MR']],
          ],
        ],
      },
    },
    {
      name: 'split first, then unescape: escaped delimiters stay inside their leaf',
      line: 'NTE|1|P|a\\S\\b^c\\T\\d&e\\R\\f\\F\\g',
      segment: { id: 'NTE', fields: [[[['1']]], [[['P']]], [[['a^b'], ['c&d', 'e~f|g']]]] },
    },
    {
      name: 'the `""` null value is kept as sent',
      line: 'PV1|1|""',
      segment: { id: 'PV1', fields: [[[['1']]], [[['""']]]] },
    },
  ])('$name', ({ line, segment }) => {
    expect(parseHl7Segment(line, standard, 'ascii')).toEqual({ ok: true, value: segment });
  });

  test.each([
    { name: 'lower case', line: 'pid|1' },
    { name: 'two characters', line: 'PI|1' },
    { name: 'four characters', line: 'PIDX|1' },
    { name: 'a leading space', line: ' PID|1' },
    { name: 'starting with a digit', line: '1ID|1' },
    { name: 'empty id', line: '|1' },
  ])('rejects the segment id: $name', ({ line }) => {
    expect(parseHl7Segment(line, standard, 'ascii')).toEqual({ ok: false, error: { kind: 'bad-segment-id' } });
  });

  test('a bad escape is located down to the subcomponent', () => {
    expect(parseHl7Segment('OBX|1|TX|a~b^c&C:\\temp', standard, 'ascii')).toEqual({
      ok: false,
      error: {
        kind: 'bad-escape',
        problem: 'unterminated',
        segmentId: 'OBX',
        field: 3,
        repetition: 2,
        component: 2,
        subcomponent: 2,
      },
    });
  });

  test('a bad escape in MSH is numbered as MSH counts', () => {
    const parsed = parseHl7Segment('MSH|^~\\&|PAS|RX\\X1\\', standard, 'ascii');
    expect(parsed.ok === false && parsed.error).toMatchObject({ kind: 'bad-escape', segmentId: 'MSH', field: 4 });
  });

  test('keep-raw keeps an undecodable leaf as sent and decodes the others', () => {
    const parsed = parseHl7Segment('MSH|^~\\&|P\\T\\S|RX\\X1\\', standard, 'ascii', 'keep-raw');
    expect(parsed.ok && parsed.value.fields.slice(2)).toEqual([[[['P&S']]], [[['RX\\X1\\']]]]);
  });

  propTest.prop([fc.string({ unit: fc.constantFrom('P', 'I', 'D', '1', '|', '^', '~', '\\', '&', 'X', 'a', ' ') })])(
    'returns a result for any line, and a field count of one less than its separators',
    (line) => {
      const parsed = parseHl7Segment(line, standard, 'ascii', 'keep-raw');
      if (parsed.ok && parsed.value.id !== 'MSH') expect(parsed.value.fields.length).toBe(line.split('|').length - 1);
    },
  );
});
