/**
 * The HL7 v2 channel's interpreter: parse the frame and map it to facts, or say why not.
 * The header is read separately so an ACK can echo MSH-10 even when the body is refused.
 * Pure.
 */

import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { Interpretation } from '../ingest/ingestService.js';
import { ackRules } from './buildAck.js';
import { mapHl7ToEvents } from './mapHl7ToEvents.js';
import { parseHl7 } from './parseHl7.js';
import { type Hl7Header, readHl7Header } from './readHl7Header.js';
import { rejectParseError } from './rejectParseError.js';

export const MLLP_ENDPOINT = 'mllp';

export function interpretHl7(message: Pick<InboundMessage, 'payload' | 'receiptId'>): Interpretation {
  const parsed = parseHl7(message.payload);
  if (!parsed.ok) return { kind: 'rejected', rejection: rejectParseError(parsed.error) };
  const mapped = mapHl7ToEvents(parsed.value, { receiptId: message.receiptId });
  if (!mapped.ok) return { kind: 'rejected', rejection: mapped.error };
  if (mapped.value.kind === 'ignored') return { kind: 'ignored', reason: mapped.value.reason };
  return { kind: 'facts', units: [mapped.value.facts], atomic: true };
}

/** The answer recorded with a rejected HL7 input: its ACK code. */
export const hl7AnswerOf = (rejection: { readonly kind: keyof typeof ackRules }): string =>
  ackRules[rejection.kind].ack;

/** The header facts of a frame when MSH is readable at all. */
export function headerOfFrame(frame: Uint8Array): Hl7Header | undefined {
  const header = readHl7Header(frame);
  return header.ok ? header.value : undefined;
}
