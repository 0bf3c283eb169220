/**
 * Exported rows as an Apache Parquet file, written with hyparquet-writer (pure JavaScript):
 * the same columns as the CSV, typed (timestamps in milliseconds UTC, the offset as INT64,
 * `data` as JSON), Snappy-compressed, one row group per 10,000 rows. Yields the file's bytes
 * as each row group is finished, so a large window is never held whole. No I/O of its own.
 */
import { ByteWriter, type ColumnSource, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { type ColumnKind, type ExportRow, exportColumns } from './exportRow.js';

export const ROWS_PER_GROUP = 10_000;

const physical: Readonly<Record<ColumnKind, Omit<SchemaElement, 'name' | 'repetition_type'>>> = {
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  instant: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
  text: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
};

const schema: SchemaElement[] = [
  { name: 'root', num_children: exportColumns.length },
  ...exportColumns.map((c) => ({
    name: c.name,
    ...physical[c.kind],
    repetition_type: c.nullable ? ('OPTIONAL' as const) : ('REQUIRED' as const),
  })),
];

/** A ByteWriter that hands its bytes over at each row group instead of keeping the whole file. */
class ChunkingWriter extends ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  flush(): void {
    if (this.index > 0) this.chunks.push(this.getBytes().slice());
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
  take(): Uint8Array[] {
    return this.chunks.splice(0);
  }
}

function columnDataOf(rows: readonly ExportRow[]): ColumnSource[] {
  return exportColumns.map((c) => ({
    name: c.name,
    data: rows.map((row) => {
      const value = c.value(row);
      return c.kind === 'int64' && typeof value === 'string' ? BigInt(value) : value;
    }),
  }));
}

export async function* encodeParquet(rows: AsyncIterable<ExportRow>): AsyncGenerator<Uint8Array> {
  const writer = new ChunkingWriter();
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'clinical-event-log replay export' });
  let group: ExportRow[] = [];
  for await (const row of rows) {
    group.push(row);
    if (group.length === ROWS_PER_GROUP) {
      await parquet.write({ columnData: columnDataOf(group), rowGroupSize: ROWS_PER_GROUP });
      group = [];
      yield* writer.take();
    }
  }
  if (group.length > 0) await parquet.write({ columnData: columnDataOf(group), rowGroupSize: ROWS_PER_GROUP });
  await parquet.finish();
  yield* writer.take();
}
