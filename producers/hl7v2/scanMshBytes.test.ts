import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { scanMshBytes } from './scanMshBytes.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const standard = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

describe('scanMshBytes', () => {
  test.each([
    { name: 'the usual delimiters', text: 'MSH|^~\\&|PAS\r', encoding: standard },
    { name: 'a v2.7 truncation character', text: 'MSH|^~\\&#|PAS\r', encoding: { ...standard, truncation: '#' } },
    {
      name: 'unusual but distinct delimiters',
      text: 'MSH!@$%*!PAS\r',
      encoding: { field: '!', component: '@', repetition: '$', escape: '%', subcomponent: '*' },
    },
    { name: 'an MSH with nothing after MSH-2', text: 'MSH|^~\\&', encoding: standard },
  ])('reads $name', ({ text, encoding }) => {
    const scan = scanMshBytes(bytes(text));
    expect(scan.ok && scan.value.encoding).toEqual(encoding);
  });

  test.each([
    { name: 'no bytes', text: '' },
    { name: 'another segment first', text: 'PID|1\rMSH|^~\\&|PAS\r' },
    { name: 'lower case', text: 'msh|^~\\&|PAS\r' },
    { name: 'a partial id', text: 'MS' },
  ])('finds no MSH in $name', ({ text }) => {
    expect(scanMshBytes(bytes(text))).toEqual({ ok: false, error: { kind: 'no-msh-segment' } });
  });

  test.each([
    { name: 'repeated encoding characters (the bad sample)', text: 'MSH|^^^^|PAS\r', found: '|^^^^' },
    { name: 'three encoding characters', text: 'MSH|^~\\|PAS\r', found: '|^~\\' },
    { name: 'six encoding characters', text: 'MSH|^~\\&#!|PAS\r', found: '|^~\\&#!' },
    { name: 'the field separator among them', text: 'MSH|^~|&|PAS\r', found: '|^~' },
    { name: 'a letter as field separator', text: 'MSHA^~\\&APAS\r', found: 'A' },
    { name: 'a space in MSH-2', text: 'MSH|^~ &|PAS\r', found: '|^~ &' },
    { name: 'a non-ASCII byte in MSH-2', text: 'MSH|^~\\\u00e9|PAS\r', found: '|^~\\\u00e9' },
    { name: 'the segment ends after MSH', text: 'MSH\rEVN|A03\r', found: '' },
    { name: 'nothing after MSH', text: 'MSH', found: '' },
    { name: 'a long MSH-2 is cut in the report', text: 'MSH|^~\\&^~\\&^~\\&|', found: '|^~\\&^~\\&' },
  ])('rejects $name', ({ text, found }) => {
    expect(scanMshBytes(bytes(text))).toEqual({ ok: false, error: { kind: 'bad-encoding-characters', found } });
  });

  test('skips a UTF-8 byte order mark and leading blank lines', () => {
    const scan = scanMshBytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x0d, 0x0a, 0x0d, ...bytes('MSH|^~\\&|PAS\rEVN')]));
    expect(scan.ok && { start: scan.value.start, end: scan.value.end }).toEqual({ start: 6, end: 18 });
  });

  test.each([
    { name: 'not sent', msh: 'MSH|^~\\&|PAS|RXX01', charset: '' },
    { name: 'empty', msh: 'MSH|^~\\&|||||||||||||||||', charset: '' },
    { name: 'UTF-8', msh: 'MSH|^~\\&|||||||||||||||| UNICODE UTF-8 |', charset: 'UNICODE UTF-8' },
    { name: 'repeated: the first one', msh: 'MSH|^~\\&||||||||||||||||8859/1~UNICODE UTF-8', charset: '8859/1' },
    { name: 'with components: the first one', msh: 'MSH|^~\\&||||||||||||||||ASCII^x', charset: 'ASCII' },
    { name: 'MSH-19 is not MSH-18', msh: 'MSH|^~\\&|||||||||||||||||UNICODE UTF-8', charset: '' },
    { name: 'a later segment is not read', msh: 'MSH|^~\\&|PAS\rZZZ||||||||||||||||UNICODE UTF-8', charset: '' },
  ])('reads MSH-18 from the bytes: $name', ({ msh, charset }) => {
    const scan = scanMshBytes(bytes(msh));
    expect(scan.ok && scan.value.declaredCharset).toBe(charset);
  });

  test('reads MSH-18 behind UTF-8 text in earlier MSH fields', () => {
    const utf8 = new TextEncoder().encode('MSH|^~\\&|PAS|Ysbyty Gwynedd Ŷ||||||||||||||UNICODE UTF-8\r');
    const scan = scanMshBytes(utf8);
    expect(scan.ok && scan.value.declaredCharset).toBe('UNICODE UTF-8');
  });

  propTest.prop([fc.uint8Array({ maxLength: 200 })])('returns a result for any bytes', (raw) => {
    expect(typeof scanMshBytes(raw).ok).toBe('boolean');
  });

  propTest.prop([fc.uint8Array({ maxLength: 60 })])('returns a result for any bytes after MSH|', (tail) => {
    const scan = scanMshBytes(Uint8Array.from([...bytes('MSH|'), ...tail]));
    if (scan.ok) expect(new Set(Object.values(scan.value.encoding)).size).toBe(Object.keys(scan.value.encoding).length);
  });
});
