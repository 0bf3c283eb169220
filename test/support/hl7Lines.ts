/**
 * HL7 v2 messages as editable lines, for table-driven mapper and ACK tests: start from a sample
 * or from literal segments, change one field, parse, and map as the pipeline's pure part does.
 */
import { err, type Result } from '../../core/result.js';
import type { Hl7Message } from '../../producers/hl7v2/hl7Message.js';
import { type Hl7Mapping, mapHl7ToEvents } from '../../producers/hl7v2/mapHl7ToEvents.js';
import { parseHl7 } from '../../producers/hl7v2/parseHl7.js';
import { rejectParseError } from '../../producers/hl7v2/rejectParseError.js';
import type { Rejection } from '../../producers/rejection.js';
import { sampleBytes } from './samples.js';

/** A sample's segments, one string each, without the CR. */
export function sampleLines(input: string): readonly string[] {
  return new TextDecoder()
    .decode(sampleBytes(input))
    .split('\r')
    .filter((line) => line !== '');
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(\d+)$/;

/**
 * The lines with one field replaced, named `SEG-n` or `SEG[occurrence]-n` as HL7 counts (so
 * `MSH-12` is the version). Missing fields are padded; `value` is written as is, delimiters and all.
 */
export function withField(lines: readonly string[], path: string, value: string): readonly string[] {
  const match = PATH.exec(path);
  if (match === null) throw new Error(`not a SEG[n]-f path: ${path}`);
  const [, id = '', occurrence = '1', field = ''] = match;
  let seen = 0;
  let found = false;
  const edited = lines.map((line) => {
    if (!line.startsWith(`${id}|`)) return line;
    seen += 1;
    if (seen !== Number(occurrence)) return line;
    found = true;
    const parts = line.split('|');
    // MSH-1 is the separator itself, so MSH-n sits one place earlier in the split.
    const index = id === 'MSH' ? Number(field) - 1 : Number(field);
    while (parts.length <= index) parts.push('');
    parts[index] = value;
    return parts.join('|');
  });
  if (!found) throw new Error(`no ${id} occurrence ${occurrence} to edit`);
  return edited;
}

export function withoutSegments(lines: readonly string[], id: string): readonly string[] {
  return lines.filter((line) => !line.startsWith(`${id}|`));
}

export function hl7Bytes(lines: readonly string[]): Uint8Array {
  return new TextEncoder().encode(lines.map((line) => `${line}\r`).join(''));
}

/** Parses lines that a test means to be well formed; a parse failure is a bug in the test. */
export function parsedLines(lines: readonly string[]): Hl7Message {
  const parsed = parseHl7(hl7Bytes(lines));
  if (!parsed.ok) throw new Error(`test message does not parse: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}

/** Parse then map, with a parse failure answered as the pipeline answers it. */
export function mapHl7Bytes(bytes: Uint8Array, receiptId: string | null = null): Result<Hl7Mapping, Rejection> {
  const parsed = parseHl7(bytes);
  if (!parsed.ok) return err(rejectParseError(parsed.error));
  return mapHl7ToEvents(parsed.value, { receiptId });
}

/** `mapHl7Bytes` for lines. */
export function mapLines(lines: readonly string[]): Result<Hl7Mapping, Rejection> {
  return mapHl7Bytes(hl7Bytes(lines));
}
