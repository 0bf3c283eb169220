import { describe, expect, test } from 'vitest';
import { exampleEvents } from '../../test/support/exampleEvents.js';
import { type AuditEntryColumns, auditColumnsOf, auditEntryText, microsOf } from './auditEntryText.js';
import { eventToJson } from './eventJson.js';
import { renderJsonb } from './renderJsonb.js';

const event = exampleEvents.MedicationOrdered;
const columns = auditColumnsOf({ topic: 'ns.clinical-events', partition: 2, offset: 41n, chainSeq: 7n }, event);

describe('the canonical text of an audit row', () => {
  test('columns come from the event and its position, in the forms PostgreSQL prints', () => {
    expect(columns).toEqual({
      topic: 'ns.clinical-events',
      partition: 2,
      offset: '41',
      chainSeq: '7',
      eventId: event.eventId.toLowerCase(),
      eventType: 'MedicationOrdered',
      nhsNumber: event.patient.nhsNumber,
      occurredAtMicros: `${event.occurredAt.getTime()}000`,
      recordedAtMicros: `${event.recordedAt.getTime()}000`,
      correlationId: event.correlationId,
      sourceChannel: event.source.channel,
      sourceSystem: event.source.system,
      sourceMessageId: event.source.messageId,
      receiptId: event.source.receiptId,
      payloadText: renderJsonb(eventToJson(event)),
    });
  });

  test('an upper-case UUID is written as PostgreSQL prints a uuid', () => {
    const upper = { ...event, eventId: event.eventId.toUpperCase() };
    expect(auditColumnsOf({ topic: 't', partition: 0, offset: 0n, chainSeq: 1n }, upper).eventId).toBe(
      event.eventId.toLowerCase(),
    );
  });

  test('instants are exact microseconds since the epoch', () => {
    expect(microsOf(new Date('2026-03-02T09:00:15.123Z'))).toBe('1772442015123000');
    expect(microsOf(new Date('1969-12-31T23:59:59.999Z'))).toBe('-1000');
  });

  test('the text is a versioned JSON array of the columns', () => {
    const parsed = JSON.parse(auditEntryText(columns)) as unknown[];
    expect(parsed[0]).toBe('cel-audit-entry/1');
    expect(parsed).toHaveLength(16);
  });

  test.each((Object.keys(columns) as (keyof AuditEntryColumns)[]).map((column) => ({ column })))(
    'changing $column changes the text',
    ({ column }) => {
      const original = columns[column];
      const altered = typeof original === 'number' ? original + 1 : original === null ? 'x' : `${original}0`;
      expect(auditEntryText({ ...columns, [column]: altered })).not.toBe(auditEntryText(columns));
    },
  );

  test('values cannot run into each other', () => {
    const a = auditEntryText({ ...columns, sourceSystem: 'AB', sourceMessageId: 'C' });
    const b = auditEntryText({ ...columns, sourceSystem: 'A', sourceMessageId: 'BC' });
    expect(a).not.toBe(b);
    expect(auditEntryText({ ...columns, receiptId: null })).not.toBe(auditEntryText({ ...columns, receiptId: 'null' }));
  });
});
