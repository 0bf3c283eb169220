import { readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { charsetNamed, decodeBytes, decodeHl7Text, firstInvalidUtf8 } from './decodeHl7Text.js';

const sample = (file: string): Uint8Array => readFileSync(new URL(`../../test/samples/hl7v2/${file}`, import.meta.url));

/** An MSH whose MSH-18 is `charset`, followed by one PID whose PID-5 holds `name` as raw bytes. */
function message(charset: string, name: readonly number[]): Uint8Array {
  const msh = `MSH|^~\\&|PAS|RXX01|||||ADT^A03|1|P|2.5.1||||||${charset}\rPID|1||||`;
  return Uint8Array.from([...Buffer.from(msh, 'latin1'), ...name, 0x0d]);
}

describe('charsetNamed', () => {
  test.each([
    { name: 'empty', msh18: '', charset: 'ascii' },
    { name: 'ASCII', msh18: 'ASCII', charset: 'ascii' },
    { name: 'HL7 8859/1', msh18: '8859/1', charset: 'iso-8859-1' },
    { name: 'ISO-8859-1', msh18: 'ISO-8859-1', charset: 'iso-8859-1' },
    { name: 'ISO IR100', msh18: 'ISO IR100', charset: 'iso-8859-1' },
    { name: 'DICOM-style ISO_IR 100', msh18: 'ISO_IR 100', charset: 'iso-8859-1' },
    { name: 'HL7 UNICODE UTF-8', msh18: 'UNICODE UTF-8', charset: 'utf-8' },
    { name: 'UTF-8', msh18: 'UTF-8', charset: 'utf-8' },
    { name: 'lower case', msh18: 'utf-8', charset: 'utf-8' },
  ])('reads $name', ({ msh18, charset }) => {
    expect(charsetNamed(msh18)).toEqual({ ok: true, value: charset });
  });

  test.each([
    { name: 'UTF-16', msh18: 'UNICODE UTF-16' },
    { name: 'ISO 8859/15', msh18: '8859/15' },
    { name: 'Shift JIS', msh18: 'ISO IR87' },
    { name: 'nonsense', msh18: 'KLINGON' },
  ])('refuses $name, naming MSH-18', ({ msh18 }) => {
    expect(charsetNamed(msh18)).toEqual({
      ok: false,
      error: { kind: 'charset', field: 'MSH-18', problem: 'unsupported', declared: msh18 },
    });
  });
});

describe('decodeBytes', () => {
  test('ISO 8859-1 maps 0x80–0x9F to the C1 controls, not to windows-1252', () => {
    expect(decodeBytes(Uint8Array.from([0x80, 0x9f, 0xe9, 0xff]), 'iso-8859-1')).toEqual({
      ok: true,
      value: '\u0080\u009f\u00e9\u00ff',
    });
  });

  propTest.prop([fc.uint8Array({ maxLength: 20_000 })])('ISO 8859-1 keeps one character per byte', (raw) => {
    const text = decodeBytes(raw, 'iso-8859-1');
    expect(text.ok && Array.from(text.value, (char) => char.charCodeAt(0))).toEqual([...raw]);
  });
});

describe('firstInvalidUtf8', () => {
  test.each([
    { name: 'ASCII', raw: [0x41, 0x42], offset: -1 },
    {
      name: 'two, three and four byte characters',
      raw: [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
      offset: -1,
    },
    { name: 'a lone continuation byte', raw: [0x41, 0x80], offset: 1 },
    { name: 'an overlong two-byte form', raw: [0xc0, 0x80], offset: 0 },
    { name: 'an overlong three-byte form', raw: [0xe0, 0x80, 0x80], offset: 0 },
    { name: 'a surrogate', raw: [0x41, 0xed, 0xa0, 0x80], offset: 1 },
    { name: 'above U+10FFFF', raw: [0xf4, 0x90, 0x80, 0x80], offset: 0 },
    { name: 'a truncated sequence at the end', raw: [0x41, 0xe2, 0x82], offset: 1 },
    { name: 'a Latin-1 é', raw: [0x4d, 0xe9, 0x6e], offset: 1 },
    { name: 'a 0xFF byte', raw: [0xff], offset: 0 },
  ])('$name', ({ raw, offset }) => {
    expect(firstInvalidUtf8(Uint8Array.from(raw))).toBe(offset);
  });

  propTest.prop([fc.uint8Array({ maxLength: 64 })])('agrees with a fatal TextDecoder on any bytes', (raw) => {
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      valid = false; // the reference decoder signals invalid input by throwing
    }
    expect(firstInvalidUtf8(raw) === -1).toBe(valid);
  });

  propTest.prop([fc.string({ unit: 'grapheme' })])('accepts any encoded text', (text) => {
    expect(firstInvalidUtf8(new TextEncoder().encode(text))).toBe(-1);
  });
});

describe('decodeHl7Text', () => {
  test('decodes the UTF-8 sample as UTF-8', () => {
    const decoded = decodeHl7Text(sample('adt_a03_utf8.hl7'));
    expect(decoded.ok && decoded.value.charset).toBe('utf-8');
    expect(decoded.ok && decoded.value.text).toContain('TESTPATIENT-LLŶR^Siân');
    expect(decoded.ok && decoded.value.text).toContain("Ménière's disease");
  });

  test('decodes an ASCII sample without falling back', () => {
    const decoded = decodeHl7Text(sample('orm_o01_escapes.hl7'));
    expect(decoded.ok && { charset: decoded.value.charset, undeclared: decoded.value.undeclaredUtf8 }).toEqual({
      charset: 'ascii',
      undeclared: false,
    });
  });

  test('8859/1 reads the byte as ISO 8859-1', () => {
    const decoded = decodeHl7Text(message('8859/1', [0x4d, 0xe9, 0x6e]));
    expect(decoded.ok && decoded.value.text.split('\r')[1]).toBe('PID|1||||Mén');
  });

  test.each([
    { name: 'empty MSH-18', charset: '' },
    { name: 'MSH-18 ASCII', charset: 'ASCII' },
  ])(
    'quietly changed values: a byte that is not UTF-8 under $name is refused naming MSH-18, never guessed',
    ({ charset }) => {
      const raw = message(charset, [0x4d, 0xe9, 0x6e]);
      expect(decodeHl7Text(raw)).toEqual({
        ok: false,
        error: { kind: 'charset', field: 'MSH-18', problem: 'undeclared', offset: raw.indexOf(0xe9) },
      });
    },
  );

  test('well-formed UTF-8 without MSH-18 is read as UTF-8', () => {
    const decoded = decodeHl7Text(message('', [...new TextEncoder().encode('Mén')]));
    expect(decoded.ok && { text: decoded.value.text.split('\r')[1], undeclared: decoded.value.undeclaredUtf8 }).toEqual(
      {
        text: 'PID|1||||Mén',
        undeclared: true,
      },
    );
  });

  test('invalid UTF-8 under UNICODE UTF-8 is an error at the first bad byte, not a replacement character', () => {
    const raw = message('UNICODE UTF-8', [0x4d, 0xe9, 0x6e]);
    expect(decodeHl7Text(raw)).toEqual({
      ok: false,
      error: {
        kind: 'charset',
        field: 'MSH-18',
        problem: 'invalid-bytes',
        charset: 'utf-8',
        offset: raw.indexOf(0xe9),
      },
    });
  });

  test('an unknown MSH-18 is an error naming MSH-18', () => {
    expect(decodeHl7Text(message('UNICODE UTF-16', [0x41]))).toEqual({
      ok: false,
      error: { kind: 'charset', field: 'MSH-18', problem: 'unsupported', declared: 'UNICODE UTF-16' },
    });
  });

  test('the text starts at MSH: a byte order mark and blank lines are dropped', () => {
    const decoded = decodeHl7Text(Uint8Array.from([0xef, 0xbb, 0xbf, 0x0a, ...message('UTF-8', [0x41])]));
    expect(decoded.ok && decoded.value.text.startsWith('MSH|^~\\&|PAS')).toBe(true);
  });

  test('MSH problems come through unchanged', () => {
    expect(decodeHl7Text(sample('bad_unparseable_msh.hl7'))).toEqual({
      ok: false,
      error: { kind: 'bad-encoding-characters', found: '|^^^^' },
    });
  });
});
