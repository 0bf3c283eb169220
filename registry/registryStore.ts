/**
 * The registry's SQL: one function per statement over the tables of
 * migrations/0001_schema_registry.sql, each with its row type. I/O.
 */
import type { Pool, Tx } from '../platform/postgres.js';
import { type CompatibilityLevel, parseCompatibilityLevel } from './compatibilityLevel.js';
import type { SubjectVersion } from './subjectVersions.js';

/** A pool for reads, or a client inside the write transaction. */
export type Db = Pool | Tx;

export type StoredSchema = { readonly id: number; readonly schemaType: string; readonly schema: string };
export type SchemaUsage = { readonly subject: string; readonly version: number };

/** The key of the lock every registry write takes; nothing else in the database may use it. */
const REGISTRY_WRITE_LOCK_KEY = 727_274_002;
/** registry_config's row for the global level. */
const GLOBAL = '';

/**
 * Serialises registry writes across processes until the transaction ends. Under READ COMMITTED
 * each later statement sees everything the previous holder committed, so "read, decide, write"
 * inside the lock cannot hand out an id or a version twice.
 */
export async function lockRegistryWrites(tx: Tx): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [REGISTRY_WRITE_LOCK_KEY]);
}

type SubjectVersionRow = { version: number; schema_id: number; schema: string; deleted: boolean };
/** Every version of the subject, soft-deleted ones included, in version order. */
export async function readSubjectVersions(db: Db, subject: string): Promise<readonly SubjectVersion[]> {
  const result = await db.query<SubjectVersionRow>(
    `SELECT v.version, v.schema_id, s.normalized AS schema, v.deleted
       FROM registry_subject_versions v JOIN registry_schemas s ON s.id = v.schema_id
      WHERE v.subject = $1::text
      ORDER BY v.version`,
    [subject],
  );
  return result.rows.map((r) => ({ version: r.version, schemaId: r.schema_id, schema: r.schema, deleted: r.deleted }));
}

type SubjectRow = { subject: string };
export async function readSubjects(db: Db, options: { readonly includeDeleted: boolean }): Promise<readonly string[]> {
  const result = await db.query<SubjectRow>(
    `SELECT subject FROM registry_subject_versions
      WHERE $1::boolean OR NOT deleted
      GROUP BY subject
      ORDER BY subject COLLATE "C"`,
    [options.includeDeleted],
  );
  return result.rows.map((r) => r.subject);
}

type SchemaRow = { id: number; schema_type: string; normalized: string };
export async function readSchema(db: Db, id: number): Promise<StoredSchema | undefined> {
  const result = await db.query<SchemaRow>(
    'SELECT id, schema_type, normalized FROM registry_schemas WHERE id = $1::integer',
    [id],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : { id: row.id, schemaType: row.schema_type, schema: row.normalized };
}

type SchemaIdRow = { id: number };
export async function findSchemaId(db: Db, fingerprint: string): Promise<number | undefined> {
  const result = await db.query<SchemaIdRow>('SELECT id FROM registry_schemas WHERE fingerprint = $1::text', [
    fingerprint,
  ]);
  return result.rows[0]?.id;
}

/** A new global id: one more than any id ever given, since schema rows are never deleted. Needs the write lock. */
export async function insertSchema(
  tx: Tx,
  schema: { readonly normalized: string; readonly fingerprint: string },
): Promise<number> {
  const result = await tx.query<SchemaIdRow>(
    `INSERT INTO registry_schemas (id, schema_type, normalized, fingerprint)
     SELECT COALESCE(max(id), 0) + 1, 'AVRO', $1::text, $2::text FROM registry_schemas
     RETURNING id`,
    [schema.normalized, schema.fingerprint],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING gave no row');
  return id;
}

type UsageRow = { subject: string; version: number };
/** The live subject versions that use a schema. */
export async function readSchemaUsages(db: Db, schemaId: number): Promise<readonly SchemaUsage[]> {
  const result = await db.query<UsageRow>(
    `SELECT subject, version FROM registry_subject_versions
      WHERE schema_id = $1::integer AND NOT deleted
      ORDER BY subject COLLATE "C", version`,
    [schemaId],
  );
  return result.rows;
}

export async function insertSubjectVersion(tx: Tx, subject: string, version: number, schemaId: number): Promise<void> {
  await tx.query(
    'INSERT INTO registry_subject_versions (subject, version, schema_id) VALUES ($1::text, $2::integer, $3::integer)',
    [subject, version, schemaId],
  );
}

export async function softDeleteVersions(tx: Tx, subject: string, versions: readonly number[]): Promise<void> {
  await tx.query(
    `UPDATE registry_subject_versions SET deleted = true, deleted_at = now()
      WHERE subject = $1::text AND version = ANY($2::integer[])`,
    [subject, versions],
  );
}

/** Removes subject versions for good; the schemas they used keep their ids. */
export async function removeVersions(tx: Tx, subject: string, versions: readonly number[]): Promise<void> {
  await tx.query('DELETE FROM registry_subject_versions WHERE subject = $1::text AND version = ANY($2::integer[])', [
    subject,
    versions,
  ]);
}

type ConfigRow = { compatibility: string };
/** The level set for a subject, or for the whole registry when `subject` is undefined. */
export async function readCompatibility(db: Db, subject: string | undefined): Promise<CompatibilityLevel | undefined> {
  const result = await db.query<ConfigRow>('SELECT compatibility FROM registry_config WHERE subject = $1::text', [
    subject ?? GLOBAL,
  ]);
  return parseCompatibilityLevel(result.rows[0]?.compatibility);
}

export async function writeCompatibility(
  tx: Tx,
  subject: string | undefined,
  level: CompatibilityLevel,
): Promise<void> {
  await tx.query(
    `INSERT INTO registry_config (subject, compatibility) VALUES ($1::text, $2::text)
     ON CONFLICT (subject) DO UPDATE SET compatibility = EXCLUDED.compatibility, updated_at = now()`,
    [subject ?? GLOBAL, level],
  );
}

/** Removes a level; returns the one removed, if any. */
export async function deleteCompatibility(
  tx: Tx,
  subject: string | undefined,
): Promise<CompatibilityLevel | undefined> {
  const result = await tx.query<ConfigRow>(
    'DELETE FROM registry_config WHERE subject = $1::text RETURNING compatibility',
    [subject ?? GLOBAL],
  );
  return parseCompatibilityLevel(result.rows[0]?.compatibility);
}
