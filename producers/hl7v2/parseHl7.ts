/** Parses one HL7 v2 message from its bytes into segments, fields and decoded values, or says why it cannot. Pure. */
import { err, ok, type Result } from '../../core/result.js';
import { decodeHl7Text, type Hl7CharsetError } from './decodeHl7Text.js';
import { componentOf, fieldOf, type Hl7Message, type Hl7Segment } from './hl7Message.js';
import { type Hl7EscapeLocation, parseHl7Segment } from './parseHl7Segment.js';
import type { Hl7MshError } from './scanMshBytes.js';

/** The MSH fields without which a message cannot be routed or acknowledged. */
export const REQUIRED_MSH_FIELDS = [
  { field: 'MSH-9', n: 9 },
  { field: 'MSH-10', n: 10 },
  { field: 'MSH-12', n: 12 },
] as const;

export type RequiredMshField = (typeof REQUIRED_MSH_FIELDS)[number]['field'];

/** `segment` is the 1-based position of the segment in the message, blank lines not counted (MSH is 1). */
export type Hl7ParseError =
  | Hl7MshError
  | Hl7CharsetError
  | { readonly kind: 'missing-required-msh-field'; readonly field: RequiredMshField }
  | { readonly kind: 'bad-segment-id'; readonly segment: number }
  | ({
      readonly kind: 'bad-escape';
      readonly segment: number;
      readonly problem: 'unterminated' | 'bad-hex';
    } & Hl7EscapeLocation);

/** Segments end at CR; LF and CRLF are tolerated, and blank (or whitespace-only) lines are skipped. */
const SEGMENT_END = /\r\n|\r|\n/;

/** The first required MSH field whose first leaf is blank, if any. */
export function missingRequiredMshField(msh: Hl7Segment): RequiredMshField | undefined {
  return REQUIRED_MSH_FIELDS.find(({ n }) => componentOf(fieldOf(msh, n), 1).trim() === '')?.field;
}

export function parseHl7(raw: Uint8Array): Result<Hl7Message, Hl7ParseError> {
  const decoded = decodeHl7Text(raw);
  if (!decoded.ok) return decoded;
  const { text, encoding, charset } = decoded.value;
  const lines = text.split(SEGMENT_END).filter((line) => line.trim() !== '');
  const segments: Hl7Segment[] = [];
  for (const [index, line] of lines.entries()) {
    const segment = parseHl7Segment(line, encoding, charset);
    if (!segment.ok) return err({ ...segment.error, segment: index + 1 });
    if (index === 0) {
      const missing = missingRequiredMshField(segment.value);
      if (missing !== undefined) return err({ kind: 'missing-required-msh-field', field: missing });
    }
    segments.push(segment.value);
  }
  return ok({ encoding, segments });
}
