import { parquetReadObjects } from 'hyparquet';
import { describe, expect, test } from 'vitest';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { aDiagnosis, aDischarge } from '../test/support/eventBuilders.js';
import { parseCsv } from '../test/support/parseCsv.js';
import { ROWS_PER_GROUP } from './encodeParquet.js';
import { type ExportFormat, encodeRows } from './encodeRows.js';
import { csvHeader, csvLineOf, type ExportRow, exportColumns, jsonLineOf } from './exportRow.js';

function rowsOf(count: number): ExportRow[] {
  return Array.from({ length: count }, (_, i) => {
    const event: ClinicalEvent =
      i % 3 === 0
        ? aDischarge({ visitId: `V${i}` })
        : aDiagnosis({ diagnosisId: `D${i}`, display: i % 2 === 0 ? 'with "quotes", commas\nand lines' : null });
    return {
      partition: i % 3,
      offset: String(1_000_000_000_000 + i),
      recordTime: new Date(Date.UTC(2026, 2, 2, 9, 0, i)),
      event,
    };
  });
}

async function* asyncRows(rows: readonly ExportRow[]): AsyncGenerator<ExportRow> {
  yield* rows;
}

async function encode(format: ExportFormat, rows: readonly ExportRow[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeRows(format, asyncRows(rows))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const arrayBufferOf = (bytes: Buffer) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;

describe('encodeRows', () => {
  const rows = rowsOf(2500); // several 64 KiB text chunks

  test('jsonl: the lines of the rows, whatever the chunking', async () => {
    expect((await encode('jsonl', rows)).toString('utf8')).toBe(rows.map(jsonLineOf).join(''));
  });

  test('csv: the header, then one record per row', async () => {
    const text = (await encode('csv', rows)).toString('utf8');
    expect(text).toBe(csvHeader + rows.map(csvLineOf).join(''));
    expect(parseCsv(text)).toHaveLength(rows.length + 1);
  });

  test.each(['jsonl', 'csv'] as const)('%s of no rows: nothing but a CSV header', async (format) => {
    expect((await encode(format, [])).toString('utf8')).toBe(format === 'csv' ? csvHeader : '');
  });

  test('parquet: a file a reader reads back column by column, the same bytes every time', async () => {
    const many = rowsOf(ROWS_PER_GROUP + 7); // two row groups
    const bytes = await encode('parquet', many);
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.equals(await encode('parquet', many))).toBe(true);
    const read = await parquetReadObjects({ file: arrayBufferOf(bytes) });
    expect(read).toHaveLength(many.length);
    const expected = (row: ExportRow) =>
      Object.fromEntries(
        exportColumns.map((c) => {
          const value = c.value(row);
          return [c.name, c.kind === 'int64' ? BigInt(value as string) : value];
        }),
      );
    expect(read[0]).toEqual(expected(many[0] as ExportRow));
    expect(read.at(-1)).toEqual(expected(many.at(-1) as ExportRow));
    expect(read.map((r) => r.eventId)).toEqual(many.map((r) => r.event.eventId));
  }, 60_000); // two row groups of Parquet take seconds on a loaded 2-core machine

  test('parquet of no rows: a valid file with the columns and no rows', async () => {
    const read = await parquetReadObjects({ file: arrayBufferOf(await encode('parquet', [])) });
    expect(read).toEqual([]);
  });
});
