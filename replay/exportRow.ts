/**
 * One exported event: where it sits on the log and the decoded event. Its JSON line, and the
 * fixed columns of the CSV and Parquet forms. The same row always gives the same bytes: field
 * order is fixed (the row's, then the event's Avro field order), instants are ISO 8601 UTC with
 * milliseconds, and nothing depends on the run. Pure.
 */
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { csvRecord } from './csvRecord.js';

export type ExportRow = {
  readonly partition: number;
  /** The record's offset, as a decimal string (Kafka offsets are 64-bit). */
  readonly offset: string;
  /** The Kafka record timestamp: the producer's CreateTime, when the adapter wrote the event. */
  readonly recordTime: Date;
  readonly event: ClinicalEvent;
};

/** `{"partition":…,"offset":"…","recordTime":"…","event":{"type":…,…}}` and a newline. */
export function jsonLineOf(row: ExportRow): string {
  // JSON.stringify writes a Date with toISOString; the event's own dates go the same way.
  return `${JSON.stringify({ partition: row.partition, offset: row.offset, recordTime: row.recordTime, event: row.event })}\n`;
}

/** How a column's values are typed, for the formats that keep types (Parquet). */
export type ColumnKind = 'int32' | 'int64' | 'instant' | 'text' | 'json';

export type ExportColumn = {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** int32: number; int64: decimal string; instant: Date; text and json: string; null only when nullable. */
  readonly value: (row: ExportRow) => number | string | Date | null;
};

/**
 * The envelope every event type shares, flattened, then `data`: the whole event as JSON (the
 * same object as the `event` of a JSON line), so no type-specific field is lost.
 */
export const exportColumns: readonly ExportColumn[] = [
  { name: 'partition', kind: 'int32', nullable: false, value: (r) => r.partition },
  { name: 'offset', kind: 'int64', nullable: false, value: (r) => r.offset },
  { name: 'recordTime', kind: 'instant', nullable: false, value: (r) => r.recordTime },
  { name: 'eventType', kind: 'text', nullable: false, value: (r) => r.event.type },
  { name: 'eventId', kind: 'text', nullable: false, value: (r) => r.event.eventId },
  { name: 'occurredAt', kind: 'instant', nullable: false, value: (r) => r.event.occurredAt },
  { name: 'recordedAt', kind: 'instant', nullable: false, value: (r) => r.event.recordedAt },
  { name: 'nhsNumber', kind: 'text', nullable: false, value: (r) => r.event.patient.nhsNumber },
  { name: 'correlationId', kind: 'text', nullable: false, value: (r) => r.event.correlationId },
  { name: 'causationId', kind: 'text', nullable: true, value: (r) => r.event.causationId },
  { name: 'sourceChannel', kind: 'text', nullable: false, value: (r) => r.event.source.channel },
  { name: 'sourceSystem', kind: 'text', nullable: false, value: (r) => r.event.source.system },
  { name: 'sourceMessageId', kind: 'text', nullable: false, value: (r) => r.event.source.messageId },
  { name: 'dedupKey', kind: 'text', nullable: false, value: (r) => r.event.dedupKey },
  { name: 'data', kind: 'json', nullable: false, value: (r) => JSON.stringify(r.event) },
];

const csvText = (value: number | string | Date | null): string =>
  value === null ? '' : value instanceof Date ? value.toISOString() : String(value);

/** The CSV header record: the column names. */
export const csvHeader = csvRecord(exportColumns.map((c) => c.name));

/** One CSV record; null is the empty field, instants are ISO 8601 UTC. */
export function csvLineOf(row: ExportRow): string {
  return csvRecord(exportColumns.map((c) => csvText(c.value(row))));
}
