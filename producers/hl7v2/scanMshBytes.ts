/** Finds the MSH segment in raw bytes and reads its delimiters and MSH-18 before any text decoding. Pure. */
import { err, ok, type Result } from '../../core/result.js';
import type { Hl7EncodingCharacters } from './hl7Message.js';

export type Hl7MshError =
  | { readonly kind: 'no-msh-segment' }
  /** `found` is MSH-1 followed by MSH-2 as sent, cut to 9 characters. */
  | { readonly kind: 'bad-encoding-characters'; readonly found: string };

export type MshScan = {
  readonly encoding: Hl7EncodingCharacters;
  /** Byte offset of `MSH`, after an optional UTF-8 byte order mark and leading blank lines. */
  readonly start: number;
  /** Byte offset just past the MSH segment (its CR or LF, or the end of the bytes). */
  readonly end: number;
  /** MSH-18, first repetition, first component, trimmed; '' when not sent. */
  readonly declaredCharset: string;
};

const CR = 0x0d;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf] as const;
const LEADING_BLANKS = new Set([CR, LF, 0x20, 0x09]);
const FOUND_MAX = 9;

/** A delimiter is printable ASCII punctuation: never a letter, digit, space, control or non-ASCII byte. */
function isDelimiterByte(byte: number): boolean {
  const isAlphanumeric =
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
  return byte >= 0x21 && byte <= 0x7e && !isAlphanumeric;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function indexOfByte(bytes: Uint8Array, from: number, end: number, wanted: (byte: number) => boolean): number {
  for (let i = from; i < end; i++) if (wanted(bytes[i] ?? 0)) return i;
  return end;
}

function startOfMsh(raw: Uint8Array): number {
  let i = BOM.every((byte, k) => raw[k] === byte) ? BOM.length : 0;
  while (i < raw.length && LEADING_BLANKS.has(raw[i] ?? 0)) i++;
  return i;
}

export function scanMshBytes(raw: Uint8Array): Result<MshScan, Hl7MshError> {
  const start = startOfMsh(raw);
  if (raw[start] !== 0x4d || raw[start + 1] !== 0x53 || raw[start + 2] !== 0x48) return err({ kind: 'no-msh-segment' });
  const end = indexOfByte(raw, start + 3, raw.length, (byte) => byte === CR || byte === LF);
  const separator = raw[start + 3];
  if (separator === undefined || start + 3 >= end) return err({ kind: 'bad-encoding-characters', found: '' });
  if (!isDelimiterByte(separator)) {
    return err({ kind: 'bad-encoding-characters', found: String.fromCharCode(separator) });
  }
  const msh2End = indexOfByte(raw, start + 4, end, (byte) => byte === separator);
  const msh2 = raw.subarray(start + 4, msh2End);
  const delimiters = [separator, ...msh2];
  const distinct = new Set(delimiters).size === delimiters.length;
  if ((msh2.length !== 4 && msh2.length !== 5) || !distinct || !msh2.every(isDelimiterByte)) {
    return err({
      kind: 'bad-encoding-characters',
      found: latin1(raw.subarray(start + 3, msh2End)).slice(0, FOUND_MAX),
    });
  }
  const [component = '', repetition = '', escapeChar = '', subcomponent = '', truncation] = latin1(msh2);
  const encoding: Hl7EncodingCharacters = {
    field: String.fromCharCode(separator),
    component,
    repetition,
    escape: escapeChar,
    subcomponent,
    ...(truncation === undefined ? {} : { truncation }),
  };
  return ok({ encoding, start, end, declaredCharset: declaredCharsetOf(raw.subarray(msh2End, end), encoding) });
}

/** MSH-18 is the 16th field after MSH-2; its first repetition's first component names the charset. */
function declaredCharsetOf(afterMsh2: Uint8Array, encoding: Hl7EncodingCharacters): string {
  const fields = latin1(afterMsh2).split(encoding.field);
  const msh18 = fields[16] ?? '';
  return (msh18.split(encoding.repetition)[0] ?? '').split(encoding.component)[0]?.trim() ?? '';
}
