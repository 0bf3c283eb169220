/** Turns a message's bytes into text in the character set its MSH-18 declares, read from the bytes first. Pure. */
import { err, ok, type Result } from '../../core/result.js';
import type { Hl7EncodingCharacters } from './hl7Message.js';
import { type Hl7MshError, scanMshBytes } from './scanMshBytes.js';

export type Hl7Charset = 'ascii' | 'iso-8859-1' | 'utf-8';

export type Hl7CharsetError =
  /** MSH-18 names a character set this system does not decode; `declared` is cut to 32 characters. */
  | { readonly kind: 'charset'; readonly field: 'MSH-18'; readonly problem: 'unsupported'; readonly declared: string }
  /** The bytes are not valid in the declared set; `offset` is the first bad byte in the input. */
  | {
      readonly kind: 'charset';
      readonly field: 'MSH-18';
      readonly problem: 'invalid-bytes';
      readonly charset: Hl7Charset;
      readonly offset: number;
    }
  /**
   * MSH-18 is empty or ASCII, and bytes above 0x7F are not valid UTF-8 either: reading them in a
   * guessed charset would store changed text, so the sender is asked to declare MSH-18.
   */
  | { readonly kind: 'charset'; readonly field: 'MSH-18'; readonly problem: 'undeclared'; readonly offset: number };

export type DecodedHl7Text = {
  /** The message from `MSH` on (a leading byte order mark and blank lines are dropped). */
  readonly text: string;
  readonly charset: Hl7Charset;
  readonly encoding: Hl7EncodingCharacters;
  /** True when MSH-18 said ASCII (or nothing) but the bytes above 0x7F are well-formed UTF-8, and were read so. */
  readonly undeclaredUtf8: boolean;
};

/** HL7 table 0211 names and common variants, compared upper-case with everything but letters and digits removed. */
const CHARSETS: Readonly<Record<string, Hl7Charset>> = {
  '': 'ascii',
  ASCII: 'ascii',
  USASCII: 'ascii',
  '88591': 'iso-8859-1',
  ISO88591: 'iso-8859-1',
  ISOIR100: 'iso-8859-1',
  LATIN1: 'iso-8859-1',
  UNICODEUTF8: 'utf-8',
  UTF8: 'utf-8',
};

export function charsetNamed(msh18: string): Result<Hl7Charset, Hl7CharsetError> {
  const charset = CHARSETS[msh18.toUpperCase().replace(/[^A-Z0-9]/g, '')];
  if (charset === undefined) {
    return err({ kind: 'charset', field: 'MSH-18', problem: 'unsupported', declared: msh18.slice(0, 32) });
  }
  return ok(charset);
}

const CHUNK = 8192;

/** ISO 8859-1 maps each byte to the code point of the same value (the WHATWG 'latin1' label is windows-1252). */
export function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return text;
}

/** A lead byte's sequence length and the range its second byte must fall in (Unicode table 3-7). */
function utf8Shape(lead: number): readonly [length: number, low: number, high: number] | undefined {
  if (lead <= 0x7f) return [1, 0, 0xff];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead >= 0xe1 && lead <= 0xec) return [3, 0x80, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead === 0xee || lead === 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return undefined;
}

const inRange = (byte: number | undefined, low: number, high: number): boolean =>
  byte !== undefined && byte >= low && byte <= high;

/** The offset of the first byte that does not start a well-formed UTF-8 sequence, or -1 when all are well formed. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const shape = utf8Shape(bytes[i] ?? 0);
    if (shape === undefined) return i;
    const [length, low, high] = shape;
    if (length > 1 && !inRange(bytes[i + 1], low, high)) return i;
    for (let k = 2; k < length; k++) if (!inRange(bytes[i + k], 0x80, 0xbf)) return i;
    i += length;
  }
  return -1;
}

/** Decodes bytes in one charset; ASCII reads bytes above 0x7F as ISO 8859-1. Fails only on invalid UTF-8. */
export function decodeBytes(bytes: Uint8Array, charset: Hl7Charset): Result<string, { readonly offset: number }> {
  if (charset !== 'utf-8') return ok(decodeLatin1(bytes));
  const offset = firstInvalidUtf8(bytes);
  if (offset >= 0) return err({ offset });
  return ok(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
}

export function decodeHl7Text(raw: Uint8Array): Result<DecodedHl7Text, Hl7MshError | Hl7CharsetError> {
  const scan = scanMshBytes(raw);
  if (!scan.ok) return scan;
  const charset = charsetNamed(scan.value.declaredCharset);
  if (!charset.ok) return charset;
  const body = raw.subarray(scan.value.start);
  const firstNonAscii = charset.value === 'ascii' ? body.findIndex((byte) => byte > 0x7f) : -1;
  if (firstNonAscii >= 0) {
    // No declared charset (or ASCII) yet bytes above 0x7F: only UTF-8 can be told apart from noise.
    const utf8 = decodeBytes(body, 'utf-8');
    if (!utf8.ok) {
      return err({ kind: 'charset', field: 'MSH-18', problem: 'undeclared', offset: scan.value.start + firstNonAscii });
    }
    return ok({ text: utf8.value, charset: 'utf-8', encoding: scan.value.encoding, undeclaredUtf8: true });
  }
  const text = decodeBytes(body, charset.value);
  if (!text.ok) {
    const offset = scan.value.start + text.error.offset;
    return err({ kind: 'charset', field: 'MSH-18', problem: 'invalid-bytes', charset: charset.value, offset });
  }
  return ok({ text: text.value, charset: charset.value, encoding: scan.value.encoding, undeclaredUtf8: false });
}
