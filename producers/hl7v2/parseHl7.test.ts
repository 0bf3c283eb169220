import { readdirSync, readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fieldOf, fieldText, type Hl7Message, parseHl7Path, segmentsNamed, valueAt } from './hl7Message.js';
import { parseHl7 } from './parseHl7.js';

const samplesDir = new URL('../../test/samples/', import.meta.url);
const sampleFiles = readdirSync(new URL('hl7v2/', samplesDir))
  .filter((file) => file.endsWith('.hl7'))
  .sort();
const sample = (file: string): Uint8Array => readFileSync(new URL(`hl7v2/${file}`, samplesDir));
const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const MSH = 'MSH|^~\\&|PAS|RXX01|EVLOG|RXX01|20260302143105+0000||ADT^A03^ADT_A03|100187|P|2.5.1';

/** For a path without a component (`NTE-3`, `PID-5`) the whole field as text; otherwise the leaf. */
function decodedAt(message: Hl7Message, path: string): string {
  const location = parseHl7Path(path);
  if (!location.ok) return `bad path ${path}`;
  if (path.includes('.')) return valueAt(message, path);
  const segment = segmentsNamed(message, location.value.segment)[location.value.occurrence - 1];
  return fieldText(fieldOf(segment, location.value.field), message.encoding);
}

describe('parseHl7 on the samples', () => {
  const parseable = sampleFiles.filter((file) => file !== 'bad_unparseable_msh.hl7');

  test('there are 20 samples', () => {
    expect(sampleFiles).toHaveLength(20);
  });

  test.each(parseable.map((file) => ({ name: file, file })))('$name parses and starts with its MSH', ({ file }) => {
    const parsed = parseHl7(sample(file));
    expect(parsed.ok && parsed.value.segments[0]?.id).toBe('MSH');
    expect(parsed.ok && parsed.value.segments.length).toBe(
      Buffer.from(sample(file)).toString('latin1').split('\r').filter(Boolean).length,
    );
  });

  test('bad_unparseable_msh.hl7 has bad encoding characters', () => {
    expect(parseHl7(sample('bad_unparseable_msh.hl7'))).toEqual({
      ok: false,
      error: { kind: 'bad-encoding-characters', found: '|^^^^' },
    });
  });

  const decodedCases = readdirSync(new URL('expected/', samplesDir))
    .map((file) => JSON.parse(readFileSync(new URL(`expected/${file}`, samplesDir), 'utf8')) as unknown)
    .flatMap((expected) => {
      const { input, decoded } = expected as { input: string; decoded?: Record<string, string> };
      return Object.entries(decoded ?? {}).map(([path, value]) => ({ name: `${input} ${path}`, input, path, value }));
    });

  test('the expected files carry decoded values for the escape and UTF-8 samples', () => {
    expect(new Set(decodedCases.map((row) => row.input))).toEqual(
      new Set(['hl7v2/adt_a03_utf8.hl7', 'hl7v2/orm_o01_escapes.hl7']),
    );
  });

  test.each(decodedCases)('$name decodes as expected', ({ input, path, value }) => {
    const parsed = parseHl7(readFileSync(new URL(input, samplesDir)));
    expect(parsed.ok && decodedAt(parsed.value, path)).toBe(value);
  });

  test.each([
    { name: 'the UTF-8 family name', file: 'adt_a03_utf8.hl7', path: 'PID-5.1', value: 'TESTPATIENT-LLŶR' },
    { name: 'the UTF-8 given name', file: 'adt_a03_utf8.hl7', path: 'PID-5.2', value: 'Siân' },
    { name: 'the UTF-8 diagnosis display', file: 'adt_a03_utf8.hl7', path: 'DG1-3.2', value: "Ménière's disease" },
    {
      name: 'the drug name with \\T\\',
      file: 'orm_o01_escapes.hl7',
      path: 'RXO-1.2',
      value: 'Beclometasone 100micrograms/dose & formoterol 6micrograms/dose inhaler',
    },
    {
      name: 'the note with \\S\\ \\T\\ \\R\\ \\E\\',
      file: 'orm_o01_escapes.hl7',
      path: 'NTE-3',
      value: 'Directions^ 2 puffs BD & rinse mouth after use~spacer advised \\ review in 4 weeks',
    },
    {
      name: 'an MRN in the second PID-3 repetition',
      file: 'adt_a03_nhs_and_mrn.hl7',
      path: 'PID-3[2].1',
      value: 'H2000002',
    },
    { name: 'the second DG1 code', file: 'adt_a03_discharge.hl7', path: 'DG1[2]-3.1', value: 'E11.9' },
    { name: 'MSH-3 is the sending application', file: 'rde_o11_new_order.hl7', path: 'MSH-3', value: 'EPMA' },
    { name: 'MSH-9.2 is the trigger', file: 'bad_unsupported_siu_s12.hl7', path: 'MSH-9.2', value: 'S12' },
    { name: 'MSH-12 is the version', file: 'orm_o01_new_order.hl7', path: 'MSH-12', value: '2.4' },
    { name: 'MSH-18 is the charset', file: 'adt_a03_utf8.hl7', path: 'MSH-18', value: 'UNICODE UTF-8' },
  ])('$name ($file $path)', ({ file, path, value }) => {
    const parsed = parseHl7(sample(file));
    expect(parsed.ok && valueAt(parsed.value, path)).toBe(value);
  });
});

describe('parseHl7 segment separators', () => {
  const body = [MSH, 'PID|1||9991000216^^^NHS^NH', 'PV1|1|I'];
  const withCr = parseHl7(latin1(`${body.join('\r')}\r`));

  test.each([
    { name: 'CR with no trailing CR', text: body.join('\r') },
    { name: 'LF', text: `${body.join('\n')}\n` },
    { name: 'CRLF', text: `${body.join('\r\n')}\r\n` },
    { name: 'mixed CR, LF and CRLF', text: `${body[0]}\r\n${body[1]}\n${body[2]}\r` },
    { name: 'blank lines between and after', text: `${body[0]}\r\r${body[1]}\n\n${body[2]}\r\n\r\n` },
    { name: 'whitespace-only lines', text: `${body[0]}\r  \r${body[1]}\r\t\r${body[2]}` },
    { name: 'blank lines before MSH', text: `\r\n\r\n${body.join('\r')}` },
  ])('$name gives the same message as CR', ({ text }) => {
    expect(withCr.ok).toBe(true);
    expect(parseHl7(latin1(text))).toEqual(withCr);
  });
});

describe('parseHl7 errors', () => {
  test.each([
    { name: 'no bytes', text: '', error: { kind: 'no-msh-segment' } },
    { name: 'PID first', text: `PID|1\r${MSH}\r`, error: { kind: 'no-msh-segment' } },
    { name: 'MSH-2 too short', text: 'MSH|^~|PAS\r', error: { kind: 'bad-encoding-characters', found: '|^~' } },
    {
      name: 'a bad segment id, counted from MSH = 1',
      text: `${MSH}\rPID|1\rpv1|1\r`,
      error: { kind: 'bad-segment-id', segment: 3 },
    },
    {
      name: 'a bad segment id after blank lines, which are not counted',
      text: `${MSH}\r\r\nPID|1\n\nX|1\r`,
      error: { kind: 'bad-segment-id', segment: 3 },
    },
    {
      name: 'an unterminated escape',
      text: `${MSH}\rPID|1\rOBX|1|TX|||see C:\\temp\r`,
      error: {
        kind: 'bad-escape',
        problem: 'unterminated',
        segment: 3,
        segmentId: 'OBX',
        field: 5,
        repetition: 1,
        component: 1,
        subcomponent: 1,
      },
    },
    {
      name: 'a malformed hex escape',
      text: `${MSH}\rNTE|1||a~b\\XZZ\\\r`,
      error: {
        kind: 'bad-escape',
        problem: 'bad-hex',
        segment: 2,
        segmentId: 'NTE',
        field: 3,
        repetition: 2,
        component: 1,
        subcomponent: 1,
      },
    },
    {
      name: 'an unsupported charset',
      text: `${MSH}||||||UNICODE UTF-16\r`,
      error: { kind: 'charset', field: 'MSH-18', problem: 'unsupported', declared: 'UNICODE UTF-16' },
    },
    {
      name: 'no MSH-9',
      text: 'MSH|^~\\&|PAS|RXX01|||||^A03|100187|P|2.5.1\r',
      error: { kind: 'missing-required-msh-field', field: 'MSH-9' },
    },
    {
      name: 'no MSH-10',
      text: 'MSH|^~\\&|PAS|RXX01|||||ADT^A03||P|2.5.1\r',
      error: { kind: 'missing-required-msh-field', field: 'MSH-10' },
    },
    {
      name: 'a blank MSH-10',
      text: 'MSH|^~\\&|PAS|RXX01|||||ADT^A03|  |P|2.5.1\r',
      error: { kind: 'missing-required-msh-field', field: 'MSH-10' },
    },
    {
      name: 'no MSH-12',
      text: 'MSH|^~\\&|PAS|RXX01|||||ADT^A03|100187|P\r',
      error: { kind: 'missing-required-msh-field', field: 'MSH-12' },
    },
    {
      name: 'an MSH cut short',
      text: 'MSH|^~\\&|PAS\r',
      error: { kind: 'missing-required-msh-field', field: 'MSH-9' },
    },
  ])('$name', ({ text, error }) => {
    expect(parseHl7(latin1(text))).toEqual({ ok: false, error });
  });

  test('invalid UTF-8 under UNICODE UTF-8 is a charset error', () => {
    const raw = Uint8Array.from([...latin1(`${MSH}||||||UNICODE UTF-8\rPID|1||||M`), 0xe9, 0x0d]);
    expect(parseHl7(raw)).toEqual({
      ok: false,
      error: { kind: 'charset', field: 'MSH-18', problem: 'invalid-bytes', charset: 'utf-8', offset: raw.length - 2 },
    });
  });

  test('quietly changed values: a Latin-1 byte with an empty MSH-18 is refused, not read as a guess', () => {
    const parsed = parseHl7(Uint8Array.from([...latin1(`${MSH}\rPID|1||||M`), 0xe9, 0x6e, 0x0d]));
    expect(parsed.ok ? 'parsed' : parsed.error).toMatchObject({ kind: 'charset', problem: 'undeclared' });
  });

  test('UTF-8 with an empty MSH-18 is read as UTF-8', () => {
    const parsed = parseHl7(utf8(`${MSH}\rPID|1||||Mén\r`));
    expect(parsed.ok && valueAt(parsed.value, 'PID-5')).toBe('Mén');
  });

  test('hex escapes decode in the message charset', () => {
    const parsed = parseHl7(utf8(`${MSH}||||||UNICODE UTF-8\rPID|1||||M\\XC3A9\\n^Si\\XC3A2\\n\r`));
    expect(parsed.ok && [valueAt(parsed.value, 'PID-5.1'), valueAt(parsed.value, 'PID-5.2')]).toEqual(['Mén', 'Siân']);
  });

  test('a v2.7 truncation character is kept and \\P\\ decodes to it', () => {
    const parsed = parseHl7(latin1('MSH|^~\\&#|PAS|RXX01|||||ADT^A03|1|P|2.7\rNTE|1||50\\P\\\r'));
    expect(parsed.ok && parsed.value.encoding.truncation).toBe('#');
    expect(parsed.ok && valueAt(parsed.value, 'NTE-3')).toBe('50#');
  });

  test('unknown and formatting escapes are kept literally', () => {
    const parsed = parseHl7(latin1(`${MSH}\rNTE|1||\\H\\Note\\N\\\\.br\\next\r`));
    expect(parsed.ok && valueAt(parsed.value, 'NTE-3')).toBe('\\H\\Note\\N\\\\.br\\next');
  });
});

describe('parseHl7 is total', () => {
  const samples = sampleFiles.map(sample);
  const interestingByte = fc.oneof(
    fc.constantFrom(0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x23, 0x0d, 0x0a, 0x0b, 0x1c, 0x00, 0xc3, 0xe9, 0xff, 0x58),
    fc.integer({ min: 0, max: 255 }),
  );
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'insert', 'delete'), byte: interestingByte });

  function applyEdits(raw: Uint8Array, edits: readonly { at: number; kind: string; byte: number }[]): Uint8Array {
    const bytes = [...raw];
    for (const { at, kind, byte } of edits) {
      const i = at % (bytes.length + 1);
      if (kind === 'insert') bytes.splice(i, 0, byte);
      else if (kind === 'delete') bytes.splice(i, 1);
      else bytes[Math.min(i, bytes.length - 1)] = byte;
    }
    return Uint8Array.from(bytes);
  }

  propTest.prop([fc.uint8Array({ maxLength: 400 })])('returns a result for any bytes', (raw) => {
    const parsed = parseHl7(raw);
    expect(parsed.ok ? parsed.value.segments[0]?.id : parsed.error.kind).toBeTypeOf('string');
  });

  propTest.prop([fc.uint8Array({ maxLength: 200 })])('returns a result for any bytes after a valid MSH', (tail) => {
    const parsed = parseHl7(Uint8Array.from([...latin1(`${MSH}\r`), ...tail]));
    expect(parsed.ok ? parsed.value.segments[0]?.id : parsed.error.kind).toBeTypeOf('string');
  });

  propTest.prop([fc.nat({ max: samples.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 12 })])(
    'returns a result for any mutation of a sample',
    (index, edits) => {
      const parsed = parseHl7(applyEdits(samples[index] ?? new Uint8Array(), edits));
      expect(parsed.ok ? parsed.value.segments[0]?.id : parsed.error.kind).toBeTypeOf('string');
    },
  );
});
