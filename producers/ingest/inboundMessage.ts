/** An inbound message as received, before anything is decided about it. Pure types. */
import type { Channel } from '../../schemas/generated/events.js';

export type InboundMessage = {
  readonly receiptId: string;
  readonly receivedAt: Date;
  readonly channel: Channel;
  /** Which entry point took it: `mllp`, `fhir:Condition`, `fhir:bundle`, `fhir:notification`, `json` … (re-drive uses it). */
  readonly endpoint: string;
  readonly contentType: string;
  readonly payload: Uint8Array;
  readonly correlationId: string;
  readonly remoteAddress: string | null;
  /** Source message type and id when readable, for the raw receipt. */
  readonly messageType: string | null;
  readonly messageId: string | null;
};
