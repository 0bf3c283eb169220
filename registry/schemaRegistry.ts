/**
 * The registry's operations, one per API call: read the subject from PostgreSQL, decide with
 * the pure rules, write under the registry lock. Expected failures come back as Confluent
 * problems; a failing database throws RegistryStoreError. I/O.
 */
import { err, ok, type Result } from '../core/result.js';
import { type Pool, type Tx, withTransaction } from '../platform/postgres.js';
import { type CompatibilityVerdict, checkCompatibility } from './checkCompatibility.js';
import { type CompatibilityLevel, DEFAULT_COMPATIBILITY_LEVEL, parseCompatibilityLevel } from './compatibilityLevel.js';
import { parseSchemaRequest } from './parseSchemaRequest.js';
import type { RegistryProblem } from './registryErrors.js';
import {
  type Db,
  deleteCompatibility,
  findSchemaId,
  insertSchema,
  insertSubjectVersion,
  lockRegistryWrites,
  readCompatibility,
  readSchema,
  readSchemaUsages,
  readSubjects,
  readSubjectVersions,
  removeVersions,
  type SchemaUsage,
  type StoredSchema,
  softDeleteVersions,
  writeCompatibility,
} from './registryStore.js';
import {
  liveVersions,
  nextVersionNumber,
  parseVersionId,
  planSubjectDelete,
  planVersionDelete,
  selectVersion,
} from './subjectVersions.js';

/** One version of a subject, as `GET /subjects/{s}/versions/{v}` and lookups answer it. */
export type SubjectSchema = {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
};

type Outcome<T> = Promise<Result<T, RegistryProblem>>;
type Deleted = { readonly includeDeleted: boolean };

export type SchemaRegistry = {
  registerSchema(subject: string, body: unknown): Outcome<{ readonly id: number }>;
  lookupSchema(subject: string, body: unknown, options: Deleted): Outcome<SubjectSchema>;
  readSchemaById(id: number): Outcome<StoredSchema>;
  readSchemaUsages(id: number): Outcome<readonly SchemaUsage[]>;
  listSubjects(options: Deleted): Promise<readonly string[]>;
  listVersions(subject: string, options: Deleted): Outcome<readonly number[]>;
  readVersion(subject: string, version: string, options: Deleted): Outcome<SubjectSchema>;
  deleteSubject(subject: string, permanent: boolean): Outcome<readonly number[]>;
  deleteVersion(subject: string, version: string, permanent: boolean): Outcome<number>;
  /**
   * Against one version (`"latest"` or a number), or every live version when `version` is
   * undefined; at the subject's level.
   */
  testCompatibility(
    subject: string,
    version: string | undefined,
    body: unknown,
    options: { readonly verbose: boolean },
  ): Outcome<CompatibilityVerdict>;
  /** `subject` undefined means the global level. */
  readLevel(subject: string | undefined, options: { readonly defaultToGlobal: boolean }): Outcome<CompatibilityLevel>;
  writeLevel(subject: string | undefined, body: unknown): Outcome<CompatibilityLevel>;
  deleteLevel(subject: string | undefined): Outcome<CompatibilityLevel>;
};

export class RegistryStoreError extends Error {
  readonly code = 'CEL_ERR_REGISTRY_STORE';
  readonly retriable = true;
  constructor(options: ErrorOptions) {
    super('schema registry: the PostgreSQL store failed; check DATABASE_URL and that the server is up', options);
    this.name = 'RegistryStoreError';
  }
}

/**
 * `defaultLevel`: the global level while none was set with `PUT /config` (Confluent's
 * `schema.compatibility.level`; BACKWARD unless given).
 */
export function createSchemaRegistry(
  pool: Pool,
  options: { readonly defaultLevel?: CompatibilityLevel } = {},
): SchemaRegistry {
  const defaultLevel = options.defaultLevel ?? DEFAULT_COMPATIBILITY_LEVEL;
  const effectiveLevel = async (db: Db, subject: string): Promise<CompatibilityLevel> =>
    (await readCompatibility(db, subject)) ?? (await readCompatibility(db, undefined)) ?? defaultLevel;
  const read = <T>(work: (db: Db) => Promise<T>): Promise<T> => inStore(() => work(pool));
  const write = <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
    inStore(() =>
      withTransaction(pool, async (tx) => {
        await lockRegistryWrites(tx);
        return work(tx);
      }),
    );

  return {
    async registerSchema(subject, body) {
      const parsed = parseSchemaRequest(body);
      if (!parsed.ok) return parsed;
      const candidate = parsed.value;
      // Registering what is already there is the common case (every producer start): no lock needed.
      const known = liveVersions(await read((db) => readSubjectVersions(db, subject))).find(
        (v) => v.schema === candidate.normalized,
      );
      if (known !== undefined) return ok({ id: known.schemaId });
      return write(async (tx) => {
        const versions = await readSubjectVersions(tx, subject);
        const live = liveVersions(versions);
        const existing = live.find((v) => v.schema === candidate.normalized);
        if (existing !== undefined) return ok({ id: existing.schemaId });
        const level = await effectiveLevel(tx, subject);
        const verdict = checkCompatibility(level, candidate.normalized, live);
        if (!verdict.compatible) return err({ kind: 'incompatible-schema', subject, messages: verdict.messages });
        const id = (await findSchemaId(tx, candidate.fingerprint)) ?? (await insertSchema(tx, candidate));
        await insertSubjectVersion(tx, subject, nextVersionNumber(versions), id);
        return ok({ id });
      });
    },

    async lookupSchema(subject, body, options) {
      const parsed = parseSchemaRequest(body);
      if (!parsed.ok) return parsed;
      const versions = await read((db) => readSubjectVersions(db, subject));
      const visible = options.includeDeleted ? versions : liveVersions(versions);
      const match = visible.findLast((v) => v.schema === parsed.value.normalized);
      if (match !== undefined) return ok(toSubjectSchema(subject, match));
      if (visible.length === 0) return err({ kind: 'subject-not-found', subject });
      return err({ kind: 'schema-not-found' });
    },

    async readSchemaById(id) {
      const schema = await read((db) => readSchema(db, id));
      return schema === undefined ? err({ kind: 'schema-not-found', id }) : ok(schema);
    },

    async readSchemaUsages(id) {
      return read(async (db) => {
        if ((await readSchema(db, id)) === undefined) return err({ kind: 'schema-not-found', id });
        return ok(await readSchemaUsages(db, id));
      });
    },

    listSubjects(options) {
      return read((db) => readSubjects(db, options));
    },

    async listVersions(subject, options) {
      const versions = await read((db) => readSubjectVersions(db, subject));
      const visible = options.includeDeleted ? versions : liveVersions(versions);
      if (visible.length === 0) return err({ kind: 'subject-not-found', subject });
      return ok(visible.map((v) => v.version));
    },

    async readVersion(subject, version, options) {
      const id = parseVersionId(version);
      if (!id.ok) return id;
      const versions = await read((db) => readSubjectVersions(db, subject));
      const selected = selectVersion(subject, versions, id.value, options);
      return selected.ok ? ok(toSubjectSchema(subject, selected.value)) : selected;
    },

    async deleteSubject(subject, permanent) {
      return write(async (tx) => {
        const plan = planSubjectDelete(subject, await readSubjectVersions(tx, subject), permanent);
        if (!plan.ok) return plan;
        if (permanent) {
          await removeVersions(tx, subject, plan.value);
          await deleteCompatibility(tx, subject);
        } else {
          await softDeleteVersions(tx, subject, plan.value);
        }
        return plan;
      });
    },

    async deleteVersion(subject, version, permanent) {
      const id = parseVersionId(version);
      if (!id.ok) return id;
      return write(async (tx) => {
        const plan = planVersionDelete(subject, await readSubjectVersions(tx, subject), id.value, permanent);
        if (!plan.ok) return plan;
        if (permanent) await removeVersions(tx, subject, [plan.value]);
        else await softDeleteVersions(tx, subject, [plan.value]);
        return plan;
      });
    },

    async testCompatibility(subject, version, body, options) {
      const id = version === undefined ? ok('every' as const) : parseVersionId(version);
      if (!id.ok) return id;
      const parsed = parseSchemaRequest(body);
      if (!parsed.ok) {
        // Confluent answers an unreadable schema with a verdict when asked to be verbose.
        if (options.verbose && parsed.error.kind === 'invalid-schema') {
          return ok({ compatible: false, messages: [parsed.error.reason] });
        }
        return parsed;
      }
      return read(async (db) => {
        const live = liveVersions(await readSubjectVersions(db, subject));
        const level = await effectiveLevel(db, subject);
        if (id.value === 'every') return ok(checkCompatibility(level, parsed.value.normalized, live));
        const selected = selectVersion(subject, live, id.value, { includeDeleted: false });
        if (selected.ok) return ok(checkCompatibility(level, parsed.value.normalized, [selected.value]));
        // Nothing to be incompatible with; a named version that does not exist is 40402 (as Confluent).
        if (id.value === 'latest') return ok({ compatible: true, messages: [] });
        return err({ kind: 'version-not-found', subject, version: id.value });
      });
    },

    async readLevel(subject, options) {
      return read(async (db) => {
        const own = await readCompatibility(db, subject);
        if (own !== undefined) return ok(own);
        if (subject !== undefined && !options.defaultToGlobal) {
          return err({ kind: 'subject-compatibility-not-configured', subject });
        }
        return ok((await readCompatibility(db, undefined)) ?? defaultLevel);
      });
    },

    async writeLevel(subject, body) {
      const given =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>).compatibility : undefined;
      const level = parseCompatibilityLevel(given);
      if (level === undefined) {
        return err({
          kind: 'invalid-compatibility-level',
          given: given === undefined ? '(none given)' : String(given),
        });
      }
      await write((tx) => writeCompatibility(tx, subject, level));
      return ok(level);
    },

    async deleteLevel(subject) {
      const removed = await write((tx) => deleteCompatibility(tx, subject));
      if (removed !== undefined) return ok(removed);
      // Deleting the global level resets it to the default; a subject without its own is 40401 (as Confluent).
      return subject === undefined ? ok(defaultLevel) : err({ kind: 'subject-not-found', subject });
    },
  };
}

function toSubjectSchema(
  subject: string,
  version: { readonly version: number; readonly schemaId: number; readonly schema: string },
): SubjectSchema {
  return { subject, version: version.version, id: version.schemaId, schema: version.schema };
}

async function inStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new RegistryStoreError({ cause: error });
  }
}
