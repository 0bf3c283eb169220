/**
 * The HL7 v2 channel's interpreter: parse the frame and map it to facts, or say why not.
 * The header is read separately so an ACK can echo MSH-10 even when the body is refused.
 * Pure.
 */

import { checkText, type TextKind, type ValueViolation } from '../../core/valueDomain.js';
import { findValueViolation, rejectValueViolation } from '../eventDraft.js';
import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { Interpretation } from '../ingest/ingestService.js';
import { hl7ContentHash } from '../ingest/sourceContent.js';
import { ackRules } from './buildAck.js';
import { type Hl7Message, segmentsNamed } from './hl7Message.js';
import { locateHl7Value } from './locateHl7Value.js';
import { mapHl7ToEvents } from './mapHl7ToEvents.js';
import { parseHl7 } from './parseHl7.js';
import { type Hl7Header, headerOf, readHl7Header } from './readHl7Header.js';
import { rejectParseError } from './rejectParseError.js';

export const MLLP_ENDPOINT = 'mllp';

export function interpretHl7(message: Pick<InboundMessage, 'payload' | 'receiptId'>): Interpretation {
  const parsed = parseHl7(message.payload);
  if (!parsed.ok) return { kind: 'rejected', rejection: rejectParseError(parsed.error) };
  const header = headerViolation(parsed.value);
  if (header !== undefined) return { kind: 'rejected', rejection: rejectValueViolation(header, header.location) };
  const mapped = mapHl7ToEvents(parsed.value, { receiptId: message.receiptId });
  if (!mapped.ok) return { kind: 'rejected', rejection: mapped.error };
  if (mapped.value.kind === 'ignored') return { kind: 'ignored', reason: mapped.value.reason };
  // Every value on the events is checked here, before anything is published: AE names the leaf it came from.
  const found = findValueViolation(mapped.value.facts);
  if (found !== undefined) {
    const location = locateHl7Value(parsed.value, found) ?? fallbackLocation(found.violation);
    return { kind: 'rejected', rejection: rejectValueViolation(found.violation, location) };
  }
  // The content a resend must repeat: the message without MSH-7 (producers/ingest/sourceContent.ts).
  const content = { hash: hl7ContentHash(parsed.value), location: 'MSH-10' };
  return { kind: 'facts', units: [{ ...mapped.value.facts, content }], atomic: true };
}

/**
 * The MSH identifiers every answer and the dedup key rest on, checked before the message is
 * mapped, so that even an ignored trigger with a 6,000-character MSH-10 is refused (AE).
 */
const HEADER_FIELDS = [
  { location: 'MSH-3', field: 'source.system', kind: 'identifier', read: (h: Hl7Header) => h.sendingApplication },
  { location: 'MSH-4', field: 'source.facility', kind: 'identifier', read: (h: Hl7Header) => h.sendingFacility },
  { location: 'MSH-10', field: 'source.messageId', kind: 'identifier', read: (h: Hl7Header) => h.controlId },
] as const satisfies readonly {
  location: string;
  field: string;
  kind: TextKind;
  read: (header: Hl7Header) => string;
}[];

function headerViolation(message: Hl7Message): ValueViolation | undefined {
  const msh = segmentsNamed(message, 'MSH')[0];
  if (msh === undefined) return undefined;
  const header = headerOf(msh, message.encoding);
  for (const { location, field, kind, read } of HEADER_FIELDS) {
    const checked = checkText(read(header), kind, { field, location });
    if (!checked.ok) return checked.error;
  }
  return undefined;
}

/** Where to point when no leaf can be named: the control id for the message's identity, PID-3 for the patient's. */
function fallbackLocation(violation: ValueViolation): string {
  if (violation.field.startsWith('patient.')) return 'PID-3';
  return 'MSH-10';
}

/** The answer recorded with a rejected HL7 input: its ACK code. */
export const hl7AnswerOf = (rejection: { readonly kind: keyof typeof ackRules }): string =>
  ackRules[rejection.kind].ack;

/** The header facts of a frame when MSH is readable at all. */
export function headerOfFrame(frame: Uint8Array): Hl7Header | undefined {
  const header = readHl7Header(frame);
  return header.ok ? header.value : undefined;
}
