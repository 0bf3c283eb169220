/**
 * The fixed canonical text of one audit_events row's indexed columns, which the chain hashes.
 * Each column has one text form that the indexer computes from the decoded event and the
 * verifier reads back from PostgreSQL (`queries.ts` selects exactly these forms), so altering
 * any stored column, by even a microsecond or one byte of payload, changes the text. Pure.
 */
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { eventToJson } from './eventJson.js';
import { renderJsonb } from './renderJsonb.js';

/** Every column the chain covers besides `record_value` (hashed as bytes) and the hashes themselves. */
export type AuditEntryColumns = {
  readonly topic: string;
  readonly partition: number;
  /** Decimal. */
  readonly offset: string;
  /** 1, 2, 3 … per patient, in log order; decimal. */
  readonly chainSeq: string;
  /** Lower-case hyphenated UUID, as PostgreSQL prints a uuid. */
  readonly eventId: string;
  readonly eventType: string;
  readonly nhsNumber: string;
  /** Microseconds since the epoch, decimal: exact for timestamptz, unlike a parsed Date. */
  readonly occurredAtMicros: string;
  readonly recordedAtMicros: string;
  readonly correlationId: string;
  readonly sourceChannel: string;
  readonly sourceSystem: string;
  readonly sourceMessageId: string;
  readonly receiptId: string | null;
  /** `payload::text`: the event JSON as PostgreSQL renders jsonb. */
  readonly payloadText: string;
};

/** Versioned, so a future change of form is a new chain format rather than a silent break. */
export const AUDIT_ENTRY_FORMAT = 'cel-audit-entry/1';

/** A JSON array of strings (and one null): unambiguous whatever the values contain. */
export function auditEntryText(c: AuditEntryColumns): string {
  return JSON.stringify([
    AUDIT_ENTRY_FORMAT,
    c.topic,
    String(c.partition),
    c.offset,
    c.chainSeq,
    c.eventId,
    c.eventType,
    c.nhsNumber,
    c.occurredAtMicros,
    c.recordedAtMicros,
    c.correlationId,
    c.sourceChannel,
    c.sourceSystem,
    c.sourceMessageId,
    c.receiptId,
    c.payloadText,
  ]);
}

export const microsOf = (instant: Date): string => (BigInt(instant.getTime()) * 1000n).toString();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL prints a uuid in lower case. */
const uuidText = (id: string): string => (UUID.test(id) ? id.toLowerCase() : id);

/** The row's columns as the indexer writes them, from the decoded event and its position. */
export function auditColumnsOf(
  position: { readonly topic: string; readonly partition: number; readonly offset: bigint; readonly chainSeq: bigint },
  event: ClinicalEvent,
): AuditEntryColumns {
  return {
    topic: position.topic,
    partition: position.partition,
    offset: position.offset.toString(),
    chainSeq: position.chainSeq.toString(),
    eventId: uuidText(event.eventId),
    eventType: event.type,
    nhsNumber: event.patient.nhsNumber,
    occurredAtMicros: microsOf(event.occurredAt),
    recordedAtMicros: microsOf(event.recordedAt),
    correlationId: event.correlationId,
    sourceChannel: event.source.channel,
    sourceSystem: event.source.system,
    sourceMessageId: event.source.messageId,
    receiptId: event.source.receiptId === null ? null : uuidText(event.source.receiptId),
    payloadText: renderJsonb(eventToJson(event)),
  };
}
