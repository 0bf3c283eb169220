import { describe, expect, test } from 'vitest';
import { clinicalEventTypes } from '../schemas/generated/events.js';
import { exampleEvents } from '../test/support/exampleEvents.js';
import { parseCsv } from '../test/support/parseCsv.js';
import { csvHeader, csvLineOf, type ExportRow, exportColumns, jsonLineOf } from './exportRow.js';

const rowOf = (type: (typeof clinicalEventTypes)[number], offset = '41'): ExportRow => ({
  partition: 2,
  offset,
  recordTime: new Date('2026-03-02T14:31:10.250Z'),
  event: exampleEvents[type],
});

describe('jsonLineOf', () => {
  test('one line: coordinates, the record time as an ISO instant, then the event', () => {
    const line = jsonLineOf(rowOf('PatientDischarged'));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(
      line.startsWith(
        '{"partition":2,"offset":"41","recordTime":"2026-03-02T14:31:10.250Z","event":{"type":"PatientDischarged","eventId":',
      ),
    ).toBe(true);
    expect(line).toContain('"dischargedAt":"2026-03-02T14:30:00.000Z"');
  });

  test.each(clinicalEventTypes)('%s reads back as the event, dates as ISO instants', (type) => {
    const parsed = JSON.parse(jsonLineOf(rowOf(type))) as { event: unknown };
    expect(parsed.event).toEqual(JSON.parse(JSON.stringify(exampleEvents[type])));
  });

  test('the same event built in another key order gives the same line: the order is the row type, not the object', () => {
    const event = exampleEvents.DiagnosisRecorded;
    const row = rowOf('DiagnosisRecorded');
    const reordered = { event, recordTime: row.recordTime, offset: row.offset, partition: row.partition };
    expect(jsonLineOf(reordered)).toBe(jsonLineOf(row));
  });
});

describe('CSV', () => {
  test('the header names the fixed columns, data last', () => {
    expect(parseCsv(csvHeader)).toEqual([
      [
        'partition',
        'offset',
        'recordTime',
        'eventType',
        'eventId',
        'occurredAt',
        'recordedAt',
        'nhsNumber',
        'correlationId',
        'causationId',
        'sourceChannel',
        'sourceSystem',
        'sourceMessageId',
        'dedupKey',
        'data',
      ],
    ]);
  });

  test.each(clinicalEventTypes)('a %s row: the envelope flattened, data the event as JSON', (type) => {
    const event = exampleEvents[type];
    const [fields, ...more] = parseCsv(csvLineOf(rowOf(type)));
    expect(more).toEqual([]);
    const record = Object.fromEntries(exportColumns.map((c, i) => [c.name, fields?.[i]]));
    expect(record).toEqual({
      partition: '2',
      offset: '41',
      recordTime: '2026-03-02T14:31:10.250Z',
      eventType: type,
      eventId: event.eventId,
      occurredAt: event.occurredAt.toISOString(),
      recordedAt: event.recordedAt.toISOString(),
      nhsNumber: event.patient.nhsNumber,
      correlationId: event.correlationId,
      causationId: event.causationId ?? '',
      sourceChannel: event.source.channel,
      sourceSystem: event.source.system,
      sourceMessageId: event.source.messageId,
      dedupKey: event.dedupKey,
      data: JSON.stringify(event),
    });
  });
});
