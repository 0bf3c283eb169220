/**
 * The fuzz suite's generators: unique valid patients, instants that do or do not exist, valid
 * inputs that the pure mappers accept (so the suite exercises acceptance, not only refusal),
 * and hostile bytes that reach the wire as generated.
 */
import { describe, expect, test } from 'vitest';
import { parseNhsNumber } from '../../core/nhsNumber.js';
import { mapHl7Bytes } from './hl7Lines.js';
import {
  createNhsNumbers,
  deliveriesOf,
  HL7_ESCAPE_FRAGMENTS,
  type HostileInput,
  type HostileInstant,
  hl7WireText,
  type InputKind,
  realInstant,
} from './hostileInputs.js';

const valid = (kind: InputKind): HostileInput => ({
  kind,
  markerSuffix: [],
  messageIdSuffix: [],
  declareUtf8: true,
  repetitions: 0,
});

const instant = (year: number, month: number, day: number, hour = 12, minute = 0, second = 0): HostileInstant => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});

describe('the fuzz generators', () => {
  test('patients are valid NHS numbers, each once', () => {
    const patients = createNhsNumbers();
    const numbers = Array.from({ length: 500 }, () => patients.next());
    expect(new Set(numbers).size).toBe(500);
    expect(numbers.filter((n) => !parseNhsNumber(n).ok)).toEqual([]);
  });

  test.each([
    { name: 'February 31st', parts: instant(2026, 2, 31), iso: undefined },
    { name: '29 February in a common year', parts: instant(2026, 2, 29), iso: undefined },
    { name: '29 February in a leap year', parts: instant(2024, 2, 29), iso: '2024-02-29T12:00:00.000Z' },
    { name: '24:60', parts: instant(2026, 3, 5, 24, 60), iso: undefined },
    { name: 'a leap second', parts: instant(2026, 3, 5, 23, 59, 60), iso: undefined },
    { name: 'month 13', parts: instant(2026, 13, 1), iso: undefined },
    { name: 'year 0000', parts: instant(0, 1, 1), iso: '0000-01-01T12:00:00.000Z' },
    { name: 'year 9999', parts: instant(9999, 12, 31, 23, 59, 59), iso: '9999-12-31T23:59:59.000Z' },
  ])('$name is an instant: $iso', ({ parts, iso }) => {
    expect(realInstant(parts)?.toISOString()).toBe(iso);
  });

  test.each(['hl7-order', 'hl7-discharge', 'hl7-diagnosis'] as const)(
    'a valid %s maps to its event carrying its marker',
    (kind) => {
      const [delivery] = deliveriesOf(valid(kind), 7, '9990000018');
      if (delivery?.channel !== 'hl7') throw new Error('not an HL7 delivery');
      const mapped = mapHl7Bytes(delivery.bytes);
      expect(mapped.ok && mapped.value.kind).toBe('events');
      expect(JSON.stringify(mapped)).toContain(`"${delivery.expect.marker}"`);
      expect(delivery.expect.marker).toBe(delivery.expect.markerPrefix);
    },
  );

  test.each(['json-medication', 'json-discharge', 'json-diagnosis', 'fhir-medication', 'fhir-bundle'] as const)(
    'a valid %s is JSON carrying its patient and marker',
    (kind) => {
      const [delivery] = deliveriesOf(valid(kind), 7, '9990000018');
      if (delivery?.channel !== 'http') throw new Error('not an HTTP delivery');
      const text = new TextDecoder('utf-8', { fatal: true }).decode(delivery.body);
      expect(() => JSON.parse(text)).not.toThrow();
      expect(text).toContain('"9990000018"');
      expect(text).toContain(`"${delivery.expect.markerPrefix}"`);
    },
  );

  test('invalid UTF-8 reaches the wire as generated, and the expectation knows the text has no faithful form', () => {
    const input: HostileInput = {
      ...valid('hl7-order'),
      text: [
        { kind: 'text', text: 'Med ' },
        { kind: 'bytes', bytes: [0xc0, 0xaf] },
      ],
    };
    const [delivery] = deliveriesOf(input, 1, '9990000018');
    expect(Buffer.from(delivery?.channel === 'hl7' ? delivery.bytes : []).includes(Buffer.from([0xc0, 0xaf]))).toBe(
      true,
    );
    expect(delivery?.expect).toHaveProperty('display', undefined);
  });

  test('a changed resend keeps the message id and changes the marker', () => {
    const input: HostileInput = {
      ...valid('json-medication'),
      resendChanged: { text: [{ kind: 'text', text: 'Other' }] },
    };
    const [first, resend] = deliveriesOf(input, 3, '9990000018');
    const keyOf = (d: typeof first) =>
      d?.channel === 'http'
        ? (JSON.parse(Buffer.from(d.body).toString('utf8')) as { idempotencyKey: string }).idempotencyKey
        : '';
    expect(keyOf(resend)).toBe(keyOf(first));
    expect(resend?.expect.markerPrefix).not.toBe(first?.expect.markerPrefix);
  });

  describe("the HL7 oracle: the text a leaf's bytes stand for", () => {
    const ascii = (text: string) => [...new TextEncoder().encode(text)];

    test.each(HL7_ESCAPE_FRAGMENTS.map((f) => ({ wire: f.wire, decoded: f.decoded })))(
      'agrees with the drawn escape $wire alone: $decoded',
      ({ wire, decoded }) => {
        expect(hl7WireText(ascii(`a${wire}`))).toBe(decoded === undefined ? undefined : `a${decoded}`);
      },
    );

    test.each([
      { name: 'an unterminated escape closed by the next one', bytes: ascii('\\F\\F'), text: '|F' },
      { name: 'an unterminated escape left open by the next one', bytes: ascii('\\F\\E\\'), text: undefined },
      { name: 'a lead byte completed by a continuation byte', bytes: [0x41, 0xc3, 0x80], text: 'AÀ' },
      { name: 'two lead bytes completed by a continuation byte', bytes: [0xe2, 0x82, 0x80], text: '₀' },
      { name: 'a lead byte alone', bytes: [0x41, 0xc3], text: undefined },
      {
        name: 'a surrogate pair written as two WTF-8 halves',
        bytes: [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80],
        text: undefined,
      },
      { name: 'hex escapes joined into one character', bytes: ascii('\\XC3\\\\X80\\'), text: 'À' },
      { name: 'a hex escape cut by literal text', bytes: ascii('\\XC3\\x\\X80\\'), text: undefined },
      { name: 'an unknown escape', bytes: ascii('\\Zab\\'), text: '\\Zab\\' },
    ])('$name: $text', ({ bytes, text }) => {
      expect(hl7WireText(bytes)).toBe(text);
    });

    test.each([
      {
        name: 'an id ending in two unterminated escapes, read as one',
        suffix: [
          { kind: 'hl7Escape', wire: '\\F', decoded: undefined },
          { kind: 'hl7Escape', wire: '\\F', decoded: undefined },
        ] as const,
        marker: 'V|F',
      },
      {
        name: 'an id whose UTF-8 character is split over two byte fragments',
        suffix: [
          { kind: 'bytes', bytes: [0xc3] },
          { kind: 'bytes', bytes: [0x80] },
        ] as const,
        marker: 'VÀ',
      },
    ])('$name: the expectation and the HL7 mapper agree', ({ suffix, marker }) => {
      const [delivery] = deliveriesOf({ ...valid('hl7-discharge'), markerSuffix: suffix }, 5, '9990000018');
      if (delivery?.channel !== 'hl7') throw new Error('not an HL7 delivery');
      expect(delivery.expect.marker).toBe(`${delivery.expect.markerPrefix.slice(0, -1)}${marker}`);
      const mapped = mapHl7Bytes(delivery.bytes);
      expect(mapped.ok && mapped.value.kind).toBe('events');
      expect(JSON.stringify(mapped)).toContain(JSON.stringify(delivery.expect.marker));
    });
  });
});
