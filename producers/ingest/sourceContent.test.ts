import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { sampleLines, withField } from '../../test/support/hl7Lines.js';
import { parseHl7 } from '../hl7v2/parseHl7.js';
import {
  canonicalInstantText,
  canonicalJsonText,
  canonicalNumberText,
  hl7ContentHash,
  jsonContentHash,
  parseCanonicalJson,
  sourceIdentityOf,
} from './sourceContent.js';

const hashOf = (text: string): string => jsonContentHash(parseCanonicalJson(text));

describe('canonicalNumberText', () => {
  test.each([
    { source: '1', canonical: '1e0' },
    { source: '1.0', canonical: '1e0' },
    { source: '1e2', canonical: '1e2' },
    { source: '100', canonical: '1e2' },
    { source: '1E+2', canonical: '1e2' },
    { source: '10e-1', canonical: '1e0' },
    { source: '0.0500', canonical: '5e-2' },
    { source: '-0', canonical: '0e0' },
    { source: '-2.50', canonical: '-25e-1' },
    { source: '12345678901234567890', canonical: '1234567890123456789e1' },
    { source: '12345678901234567891', canonical: '12345678901234567891e0' },
  ])('$source → $canonical', ({ source, canonical }) => {
    expect(canonicalNumberText(source)).toBe(canonical);
  });
});

describe('canonicalInstantText', () => {
  test.each([
    { text: '2026-03-01T10:00:00+01:00', canonical: '2026-03-01T09:00:00Z' },
    { text: '2026-03-01T09:00:00.000Z', canonical: '2026-03-01T09:00:00Z' },
    { text: '2026-03-01T09:00:00.5000-00:00', canonical: '2026-03-01T09:00:00.5Z' },
    { text: '2026-03-01T00:30:00+02:00', canonical: '2026-02-28T22:30:00Z' },
    { text: '2026-03-01T09:00:00.123456789Z', canonical: '2026-03-01T09:00:00.123456789Z' },
    { text: '0001-01-01T00:00:00Z', canonical: '0001-01-01T00:00:00Z' },
    // Not instants: left as written.
    { text: '2026-03-01', canonical: '2026-03-01' },
    { text: '2026-03-01T09:00:00', canonical: '2026-03-01T09:00:00' },
    { text: '2026-02-31T09:00:00Z', canonical: '2026-02-31T09:00:00Z' },
    { text: '2026-03-01T24:00:00Z', canonical: '2026-03-01T24:00:00Z' },
    { text: 'Metformin 500 mg', canonical: 'Metformin 500 mg' },
  ])('$text → $canonical', ({ text, canonical }) => {
    expect(canonicalInstantText(text)).toBe(canonical);
  });
});

/** JSON values the canonical form sees through: any shape, with numbers and instants. */
const arbJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** The same value written as a gateway might: keys in another order, indented, numbers and instants in other forms. */
function reserialise(value: unknown, seed: number): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e15 && seed % 2 === 0) return `${value}.0`;
    return seed % 3 === 0 ? value.toExponential() : JSON.stringify(value);
  }
  if (typeof value === 'string') {
    const instant = /^(.*)\.(\d{3})Z$/.exec(value);
    if (instant !== null && seed % 2 === 1) {
      // The same instant one hour east, with the fraction padded.
      const shifted = new Date(Date.parse(value) + 3_600_000).toISOString().slice(0, 19);
      return JSON.stringify(`${shifted}.${instant[2]}000+01:00`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[ ${value.map((v, i) => reserialise(v, seed + i)).join(' , ')} ]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const ordered = seed % 2 === 0 ? entries.reverse() : entries;
    return `{\n  ${ordered.map(([k, v], i) => `${JSON.stringify(k)} : ${reserialise(v, seed + i + 1)}`).join(',\n  ')}\n}`;
  }
  return JSON.stringify(value);
}

describe('JSON content hash', () => {
  propTest.prop([arbJson, fc.nat()])(
    're-serialisation, key order, number form and instant form do not change the hash',
    (value, seed) => {
      expect(hashOf(reserialise(value, seed))).toBe(hashOf(JSON.stringify(value)));
    },
  );

  propTest.prop([
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), arbJson, { minKeys: 1, maxKeys: 5 }),
    fc.nat(),
    arbJson,
  ])('any change of content changes the hash', (object, pick, replacement) => {
    const keys = Object.keys(object);
    const key = keys[pick % keys.length] ?? '';
    fc.pre(
      canonicalJsonText(parseCanonicalJson(JSON.stringify(replacement))) !==
        canonicalJsonText(parseCanonicalJson(JSON.stringify(object[key]))),
    );
    expect(hashOf(JSON.stringify({ ...object, [key]: replacement }))).not.toBe(hashOf(JSON.stringify(object)));
  });

  test.each([
    { name: 'another dose', a: '{"dose":"500"}', b: '{"dose":"850"}' },
    { name: 'a number for its string', a: '{"dose":500}', b: '{"dose":"500"}' },
    { name: 'another instant', a: '{"at":"2026-03-01T09:00:00Z"}', b: '{"at":"2026-03-01T09:00:01Z"}' },
    { name: 'an added key', a: '{"a":1}', b: '{"a":1,"b":null}' },
    { name: 'array order', a: '[1,2]', b: '[2,1]' },
    { name: 'numbers beyond double precision', a: '12345678901234567890', b: '12345678901234567891' },
  ])('$name is different content', ({ a, b }) => {
    expect(hashOf(a)).not.toBe(hashOf(b));
  });

  test('not JSON has no canonical form', () => {
    expect(parseCanonicalJson('{"a":')).toBeUndefined();
  });
});

describe('HL7 content hash', () => {
  const lines = sampleLines('hl7v2/orm_o01_new_order.hl7');
  const hashOfLines = (edited: readonly string[], terminator = '\r'): string => {
    const parsed = parseHl7(new TextEncoder().encode(edited.map((l) => `${l}${terminator}`).join('')));
    if (!parsed.ok) throw new Error('sample does not parse');
    return hl7ContentHash(parsed.value);
  };
  const original = hashOfLines(lines);

  test('a resend with a new MSH-7 is the same content', () => {
    expect(hashOfLines(withField(lines, 'MSH-7', '20991231235959+0000'))).toBe(original);
  });

  test('trailing empty fields and the segment terminator are how it is written, not content', () => {
    expect(hashOfLines(lines.map((l) => `${l}||`))).toBe(original);
    expect(hashOfLines(lines, '\r\n')).toBe(original);
  });

  test.each([
    { name: 'another drug', path: 'RXO-1', value: '999999999^Another drug^DMD' },
    { name: 'another dose', path: 'RXO-2', value: '850' },
    { name: 'another patient', path: 'PID-5', value: 'OTHER^NAME' },
    { name: 'another version', path: 'MSH-12', value: '2.5' },
  ])('$name is different content', ({ path, value }) => {
    expect(hashOfLines(withField(lines, path, value))).not.toBe(original);
  });
});

describe('sourceIdentityOf', () => {
  const source = {
    system: 'PAS',
    facility: 'RXX',
    messageType: 'ORM^O01',
    messageId: 'MSG1',
    messageVersion: '2.5.1',
    receiptId: null,
  };
  test('HL7: application, facility and control id; not the version', () => {
    expect(sourceIdentityOf({ ...source, channel: 'HL7V2' })).toBe(
      sourceIdentityOf({ ...source, channel: 'HL7V2', messageVersion: '2.4' }),
    );
    expect(sourceIdentityOf({ ...source, channel: 'HL7V2' })).not.toBe(
      sourceIdentityOf({ ...source, channel: 'HL7V2', facility: 'RYY' }),
    );
  });
  test('FHIR: the resource and its version', () => {
    const fhir = { ...source, channel: 'FHIR' as const, messageId: 'Condition/c1', messageVersion: '1' };
    expect(sourceIdentityOf(fhir)).not.toBe(sourceIdentityOf({ ...fhir, messageVersion: '2' }));
  });
  test('a separator inside a value cannot forge another identity', () => {
    expect(sourceIdentityOf({ ...source, channel: 'HL7V2', system: 'A|B', facility: 'C' })).not.toBe(
      sourceIdentityOf({ ...source, channel: 'HL7V2', system: 'A', facility: 'B|C' }),
    );
  });
});
