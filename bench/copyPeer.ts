/**
 * The physical-limit peer for writing view rows: COPY FROM STDIN into an unindexed clone of a
 * view table (same columns and defaults, no keys or indexes), on one connection. I/O.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from '../platform/postgres.js';
import { quoteIdentifier } from '../platform/postgres.js';

/** COPY text format: backslash is the escape character; JSON.stringify already escapes tabs and newlines. */
export const copyText = (value: string): string => value.replace(/\\/g, '\\\\');

/** Loads `chunks` (COPY text lines for `columns`) into `<table>_copy`; checks the row count; seconds taken. */
export async function copyIntoClone(
  pool: Pool,
  table: string,
  columns: readonly string[],
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  rows: number,
): Promise<number> {
  const clone = quoteIdentifier(`${table}_copy`);
  await pool.query(`CREATE TABLE ${clone} (LIKE ${quoteIdentifier(table)} INCLUDING DEFAULTS)`);
  const client = await pool.connect();
  try {
    const started = performance.now();
    await pipeline(
      Readable.from(chunks),
      client.query(copyFrom(`COPY ${clone} (${columns.map(quoteIdentifier).join(', ')}) FROM STDIN`)),
    );
    const seconds = (performance.now() - started) / 1000;
    const copied = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${clone}`);
    if (Number(copied.rows[0]?.n) !== rows)
      throw new Error(`COPY loaded ${copied.rows[0]?.n} rows into ${clone}, not ${rows}`);
    return seconds;
  } finally {
    client.release();
  }
}
