/**
 * Exported rows to the bytes of an export format: JSON lines, CSV (header first) or Parquet.
 * The bytes depend on the rows alone, so the same window read twice gives the same file.
 * Text is handed on in chunks of about 64 KiB. No I/O of its own.
 */
import { encodeParquet } from './encodeParquet.js';
import { csvHeader, csvLineOf, type ExportRow, jsonLineOf } from './exportRow.js';

export const exportFormats = ['jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const contentTypeOf: Readonly<Record<ExportFormat, string>> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8; header=present',
  parquet: 'application/vnd.apache.parquet',
};

const CHUNK_CHARS = 64 * 1024;

export async function* encodeRows(format: ExportFormat, rows: AsyncIterable<ExportRow>): AsyncGenerator<Uint8Array> {
  if (format === 'parquet') {
    yield* encodeParquet(rows);
    return;
  }
  const lineOf = format === 'csv' ? csvLineOf : jsonLineOf;
  let chunk = format === 'csv' ? csvHeader : '';
  for await (const row of rows) {
    chunk += lineOf(row);
    if (chunk.length >= CHUNK_CHARS) {
      yield Buffer.from(chunk, 'utf8');
      chunk = '';
    }
  }
  if (chunk !== '') yield Buffer.from(chunk, 'utf8');
}
