import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  componentOf,
  encodingCharactersText,
  fieldOf,
  fieldText,
  type Hl7EncodingCharacters,
  type Hl7Message,
  parseHl7Path,
  segmentsNamed,
  valueAt,
} from './hl7Message.js';

const encoding: Hl7EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

// MSH|^~\&|PAS|RXX01|||||ADT^A03^ADT_A03|100187|P|2.5.1
// PID|1||9991000216^^^NHS^NH~H1000001^^^RXX&1.2.3&ISO^MR||TESTPATIENT^Alice
// DG1|1||233604007^Pneumonia^SCT
// DG1|2||E11.9^Type 2 diabetes^I10
const message: Hl7Message = {
  encoding,
  segments: [
    {
      id: 'MSH',
      fields: [
        [[['|']]],
        [[['^~\\&']]],
        [[['PAS']]],
        [[['RXX01']]],
        [[['']]],
        [[['']]],
        [[['']]],
        [[['']]],
        [[['ADT'], ['A03'], ['ADT_A03']]],
        [[['100187']]],
        [[['P']]],
        [[['2.5.1']]],
      ],
    },
    {
      id: 'PID',
      fields: [
        [[['1']]],
        [[['']]],
        [
          [['9991000216'], [''], [''], ['NHS'], ['NH']],
          [['H1000001'], [''], [''], ['RXX', '1.2.3', 'ISO'], ['MR']],
        ],
        [[['']]],
        [[['TESTPATIENT'], ['Alice']]],
      ],
    },
    { id: 'DG1', fields: [[[['1']]], [[['']]], [[['233604007'], ['Pneumonia'], ['SCT']]]] },
    { id: 'DG1', fields: [[[['2']]], [[['']]], [[['E11.9'], ['Type 2 diabetes'], ['I10']]]] },
  ],
};

describe('valueAt', () => {
  test.each([
    { name: 'MSH-1 is the field separator itself', path: 'MSH-1', value: '|' },
    { name: 'MSH-2 is the encoding characters', path: 'MSH-2', value: '^~\\&' },
    { name: 'MSH-3 is the sending application', path: 'MSH-3', value: 'PAS' },
    { name: 'MSH-4 is the sending facility', path: 'MSH-4.1', value: 'RXX01' },
    { name: 'a component', path: 'MSH-9.2', value: 'A03' },
    { name: 'a field reads as its first component', path: 'MSH-9', value: 'ADT' },
    { name: 'MSH-10 is the control id', path: 'MSH-10', value: '100187' },
    { name: 'MSH-12 is the version', path: 'MSH-12', value: '2.5.1' },
    { name: 'the first repetition by default', path: 'PID-3.5', value: 'NH' },
    { name: 'a later repetition', path: 'PID-3[2].5', value: 'MR' },
    { name: 'a subcomponent', path: 'PID-3[2].4.2', value: '1.2.3' },
    { name: 'the first segment occurrence by default', path: 'DG1-3.1', value: '233604007' },
    { name: 'a later segment occurrence', path: 'DG1[2]-3.2', value: 'Type 2 diabetes' },
    { name: 'a field past the end of the segment', path: 'PID-99', value: '' },
    { name: 'a repetition that was not sent', path: 'PID-3[3].1', value: '' },
    { name: 'a component that was not sent', path: 'PID-5.7', value: '' },
    { name: 'a segment occurrence that was not sent', path: 'DG1[3]-3', value: '' },
    { name: 'a segment that was not sent', path: 'PV1-19', value: '' },
    { name: 'a malformed path: no dash', path: 'PID3', value: '' },
    { name: 'a malformed path: lower case', path: 'pid-3', value: '' },
    { name: 'a malformed path: position 0', path: 'PID-0', value: '' },
    { name: 'a malformed path: empty component', path: 'PID-3..1', value: '' },
  ])('$name ($path)', ({ path, value }) => {
    expect(valueAt(message, path)).toBe(value);
  });
});

describe('parseHl7Path', () => {
  test.each([
    {
      name: 'segment and field',
      path: 'PV1-45',
      location: { segment: 'PV1', occurrence: 1, field: 45, repetition: 1, component: 1, subcomponent: 1 },
    },
    {
      name: 'every part',
      path: 'DG1[2]-3[4].5.6',
      location: { segment: 'DG1', occurrence: 2, field: 3, repetition: 4, component: 5, subcomponent: 6 },
    },
    {
      name: 'a Z-segment with a digit',
      path: 'ZX1-2.1',
      location: { segment: 'ZX1', occurrence: 1, field: 2, repetition: 1, component: 1, subcomponent: 1 },
    },
  ])('reads $name', ({ path, location }) => {
    expect(parseHl7Path(path)).toEqual({ ok: true, value: location });
  });

  test.each([
    { name: 'empty', path: '' },
    { name: 'two-letter segment', path: 'PI-3' },
    { name: 'segment starting with a digit', path: '1ID-3' },
    { name: 'position 0', path: 'PID-3.0' },
    { name: 'negative', path: 'PID--3' },
    { name: 'trailing dot', path: 'PID-3.' },
    { name: 'four levels', path: 'PID-3.1.1.1' },
    { name: 'spaces', path: 'PID-3 ' },
  ])('rejects $name', ({ path }) => {
    expect(parseHl7Path(path)).toEqual({ ok: false, error: { kind: 'bad-path' } });
  });

  const position = fc.integer({ min: 1, max: 999 });
  propTest.prop([fc.stringMatching(/^[A-Z][A-Z0-9]{2}$/), position, position, position, position, position])(
    'reads back every number it is given',
    (segment, occurrence, field, repetition, component, subcomponent) => {
      const path = `${segment}[${occurrence}]-${field}[${repetition}].${component}.${subcomponent}`;
      expect(parseHl7Path(path)).toEqual({
        ok: true,
        value: { segment, occurrence, field, repetition, component, subcomponent },
      });
    },
  );
});

describe('accessors', () => {
  const pid = segmentsNamed(message, 'PID')[0];

  test('segmentsNamed keeps message order and returns [] for an absent segment', () => {
    expect(segmentsNamed(message, 'DG1').map((dg1) => componentOf(fieldOf(dg1, 1), 1))).toEqual(['1', '2']);
    expect(segmentsNamed(message, 'PV1')).toEqual([]);
  });

  test('fieldOf is 1-based and undefined outside the segment', () => {
    expect(fieldOf(pid, 1)).toEqual([[['1']]]);
    expect(fieldOf(pid, 0)).toBeUndefined();
    expect(fieldOf(pid, 6)).toBeUndefined();
    expect(fieldOf(undefined, 1)).toBeUndefined();
  });

  test('componentOf takes the repetition and subcomponent as options', () => {
    const cx = fieldOf(pid, 3);
    expect(componentOf(cx, 1)).toBe('9991000216');
    expect(componentOf(cx, 1, { repetition: 2 })).toBe('H1000001');
    expect(componentOf(cx, 4, { repetition: 2, subcomponent: 3 })).toBe('ISO');
    expect(componentOf(cx, 0)).toBe('');
    expect(componentOf(undefined, 1)).toBe('');
  });

  test('fieldText joins the decoded leaves with the delimiters', () => {
    expect(fieldText(fieldOf(pid, 3), encoding)).toBe('9991000216^^^NHS^NH~H1000001^^^RXX&1.2.3&ISO^MR');
    expect(fieldText(fieldOf(pid, 5), encoding)).toBe('TESTPATIENT^Alice');
    expect(fieldText(undefined, encoding)).toBe('');
  });

  test('encodingCharactersText writes MSH-2, with the truncation character when there is one', () => {
    expect(encodingCharactersText(encoding)).toBe('^~\\&');
    expect(encodingCharactersText({ ...encoding, truncation: '#' })).toBe('^~\\&#');
  });
});
