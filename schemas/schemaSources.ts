/** Reads the hand-written Avro sources in schemas/avro/ (envelope, shared types, events, records). I/O. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AvroNamed, AvroRecord } from './avroJson.js';

export const AVRO_SOURCE_DIR = new URL('./avro/', import.meta.url).pathname;

export type SchemaSources = {
  readonly envelope: AvroRecord;
  readonly sharedTypes: readonly AvroNamed[];
  readonly events: readonly AvroRecord[];
  readonly records: readonly AvroRecord[];
};

async function readDir<T>(dir: string): Promise<readonly T[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.avsc')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as T));
}

export async function readSchemaSources(dir = AVRO_SOURCE_DIR): Promise<SchemaSources> {
  const [envelope] = await Promise.all([readFile(join(dir, 'envelope.avsc'), 'utf8')]);
  return {
    envelope: JSON.parse(envelope) as AvroRecord,
    sharedTypes: await readDir<AvroNamed>(join(dir, 'types')),
    events: await readDir<AvroRecord>(join(dir, 'events')),
    records: await readDir<AvroRecord>(join(dir, 'records')),
  };
}
