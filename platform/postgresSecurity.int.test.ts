/**
 * PostgreSQL connection security against a private PostgreSQL 15 cluster (TLS only over TCP,
 * scram-sha-256 passwords) with a throw-away CA: verify-full with the right CA connects encrypted;
 * another CA, or a certificate for another host name, stops the start naming the cause and the
 * variable (verify-ca accepts the other name); require encrypts without checking; a password file
 * works, a wrong one is refused naming the file, and a rotated one is read on the next
 * connection; the service's least-rights role, granted by deploy/postgres-service-role.sql after
 * the owner (DATABASE_MIGRATION_URL) created and migrated the database, applies a view batch,
 * writes the offsets and dedup tables and tables the owner adds later, and is refused DDL.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyBatchExactlyOnce, type Batch } from '../consumers/applyBatchExactlyOnce.js';
import { initStoredOffsets, readStoredOffsets } from '../consumers/storedOffsets.js';
import { liveViews } from '../consumers/views.js';
import {
  type PrivatePostgres,
  privatePostgresUnavailable,
  startPrivatePostgres,
} from '../test/support/privatePostgres.js';
import { createThrowawayCa, type ThrowawayCa } from '../test/support/throwawayCa.js';
import { patientEvents } from '../test/support/viewWorkload.js';
import { type Config, parseConfig } from './config.js';
import { createPool, ensureDatabase, isPgError, type Pool } from './postgres.js';
import { DatabaseAuthError, DatabaseTlsError } from './postgresConnection.js';
import { MIGRATIONS_DIR, runMigrations } from './runMigrations.js';

const unavailable = privatePostgresUnavailable();
if (unavailable !== undefined) {
  // Loud on purpose: these cases do not run on this machine.
  console.error(`\n*** SKIPPED platform/postgresSecurity.int.test.ts: ${unavailable} ***\n`);
}

const GRANTS = new URL('../deploy/postgres-service-role.sql', import.meta.url).pathname;
const OWNER_PASSWORD = 'owner-Secret-1';
const SERVICE_PASSWORD = 'service-Secret-1';

describe.skipIf(unavailable !== undefined)('PostgreSQL connection security (private cluster)', () => {
  let ca: ThrowawayCa;
  let otherCa: ThrowawayCa;
  let server: PrivatePostgres;
  let admin: pg.Client;
  let ownerPasswordFile: string;
  let servicePasswordFile: string;
  const pools: Pool[] = [];

  beforeAll(async () => {
    ca = createThrowawayCa();
    otherCa = createThrowawayCa();
    // The server's certificate names localhost only: connecting to 127.0.0.1 is "another host".
    server = await startPrivatePostgres({ tls: ca.serverFor('postgres-localhost', ['DNS:localhost']) });
    admin = await server.admin();
    await admin.query(`CREATE ROLE cel_owner LOGIN CREATEDB PASSWORD '${OWNER_PASSWORD}'`);
    await admin.query(`CREATE ROLE cel_service LOGIN PASSWORD '${SERVICE_PASSWORD}'`);
    ownerPasswordFile = ca.write('owner.password', `${OWNER_PASSWORD}\n`);
    servicePasswordFile = ca.write('service.password', `${SERVICE_PASSWORD}\n`);
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
    await admin?.end().catch(() => undefined);
    server?.stop();
    ca?.remove();
    otherCa?.remove();
  });

  const configOf = (env: Record<string, string>): Config => {
    const parsed = parseConfig(env);
    if (!parsed.ok) throw new Error(parsed.error.map((p) => `${p.variable}: ${p.message}`).join('; '));
    return parsed.value;
  };
  const ownerUrl = (host: string, query: string, database = 'postgres') =>
    `postgres://cel_owner@${host}:${server.port}/${database}?${query}`;
  const poolOf = (url: URL, max = 1): Pool => {
    const pool = createPool(url, { max });
    pools.push(pool);
    return pool;
  };
  const encrypted = async (pool: Pool): Promise<boolean | undefined> =>
    (await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl;

  test('verify-full with the right CA connects, and the connection is encrypted', async () => {
    const config = configOf({
      DATABASE_URL: ownerUrl('localhost', 'sslmode=verify-full'),
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    expect(await ensureDatabase(config.databaseUrl)).toEqual({ created: false });
    expect(await encrypted(poolOf(config.databaseUrl))).toBe(true);
  });

  test('a server certificate from another CA stops the start, naming the CA file and the variable', async () => {
    const config = configOf({
      DATABASE_URL: ownerUrl('localhost', 'sslmode=verify-full'),
      DATABASE_SSL_CA_FILE: otherCa.caFile,
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    const failure = ensureDatabase(config.databaseUrl);
    await expect(failure).rejects.toBeInstanceOf(DatabaseTlsError);
    await expect(failure).rejects.toThrowError(
      `the server's certificate is not signed by the CA in ${otherCa.caFile} (DATABASE_SSL_CA_FILE, or sslrootcert in DATABASE_URL)`,
    );
    // A pool (the views, the tools) names it too, on its first query.
    await expect(poolOf(config.databaseUrl).query('SELECT 1')).rejects.toThrowError(
      `not signed by the CA in ${otherCa.caFile}`,
    );
    // require with a CA checks the chain too (libpq's rule).
    const withRequire = configOf({
      DATABASE_URL: ownerUrl('localhost', `sslmode=require&sslrootcert=${otherCa.caFile}`),
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    await expect(ensureDatabase(withRequire.databaseUrl)).rejects.toBeInstanceOf(DatabaseTlsError);
  });

  test('a certificate for another host name fails verify-full and passes verify-ca', async () => {
    const full = configOf({
      DATABASE_URL: ownerUrl('127.0.0.1', 'sslmode=verify-full'),
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    const failure = ensureDatabase(full.databaseUrl);
    await expect(failure).rejects.toBeInstanceOf(DatabaseTlsError);
    await expect(failure).rejects.toThrowError(
      /the server's certificate is not for host 127\.0\.0\.1 \(sslmode=verify-full in DATABASE_URL checks the name\)/,
    );
    const chainOnly = configOf({
      DATABASE_URL: ownerUrl('127.0.0.1', 'sslmode=verify-ca'),
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    expect(await ensureDatabase(chainOnly.databaseUrl)).toEqual({ created: false });
    expect(await encrypted(poolOf(chainOnly.databaseUrl))).toBe(true);
  });

  test('require encrypts without checking the certificate; disable is refused by a TLS-only server', async () => {
    const required = configOf({
      DATABASE_URL: ownerUrl('127.0.0.1', 'sslmode=require'),
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    expect(await encrypted(poolOf(required.databaseUrl))).toBe(true);
    const plain = configOf({
      DATABASE_URL: ownerUrl('127.0.0.1', 'sslmode=disable'),
      DATABASE_PASSWORD_FILE: ownerPasswordFile,
    });
    const failure = ensureDatabase(plain.databaseUrl);
    await expect(failure).rejects.toBeInstanceOf(DatabaseAuthError);
    await expect(failure).rejects.toThrowError(/refused user cel_owner \(DATABASE_URL, sslmode=disable\)/);
  });

  test('the password file: a wrong password is refused naming the file; a rotated file is read by the next connection', async () => {
    const wrongFile = ca.write('wrong.password', 'not-the-password\n');
    const wrong = configOf({
      DATABASE_URL: `postgres://cel_service@localhost:${server.port}/postgres?sslmode=verify-full`,
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: wrongFile,
    });
    const failure = ensureDatabase(wrong.databaseUrl);
    await expect(failure).rejects.toBeInstanceOf(DatabaseAuthError);
    await expect(failure).rejects.toThrowError(
      `refused user cel_service with the password in ${wrongFile} (DATABASE_PASSWORD_FILE)`,
    );
    await expect(failure).rejects.not.toThrowError(/not-the-password/);
    await expect(poolOf(wrong.databaseUrl).query('SELECT 1')).rejects.toBeInstanceOf(DatabaseAuthError);

    const rotatingFile = ca.write('rotating.password', `${SERVICE_PASSWORD}\n`);
    const config = configOf({
      DATABASE_URL: `postgres://cel_service@localhost:${server.port}/postgres?sslmode=verify-full`,
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: rotatingFile,
    });
    const pool = poolOf(config.databaseUrl);
    const pid = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const first = await pid();
    await admin.query("ALTER ROLE cel_service PASSWORD 'service-Rotated-2'");
    writeFileSync(rotatingFile, 'service-Rotated-2\n');
    const client = await pool.connect();
    client.release(true); // the next query needs a new connection
    const second = await pid();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await admin.query(`ALTER ROLE cel_service PASSWORD '${SERVICE_PASSWORD}'`);
  });

  test('migrations as the owner; the least-rights service role applies a view batch and is refused DDL', async () => {
    const config = configOf({
      DATABASE_URL: `postgres://cel_service@localhost:${server.port}/cel_app?sslmode=verify-full`,
      DATABASE_SSL_CA_FILE: ca.caFile,
      DATABASE_PASSWORD_FILE: servicePasswordFile,
      DATABASE_MIGRATION_URL: `postgres://cel_owner@localhost:${server.port}/cel_app`,
      DATABASE_MIGRATION_PASSWORD_FILE: ownerPasswordFile,
    });
    const owner = config.databaseMigrationUrl;
    if (owner === undefined) throw new Error('DATABASE_MIGRATION_URL was set');
    expect(await ensureDatabase(owner)).toEqual({ created: true });
    const migrated = await runMigrations(owner);
    expect(migrated.applied.length).toBeGreaterThan(5);

    // Before the grants the service role can read nothing, and says what to set.
    await expect(runMigrations(config.databaseUrl)).rejects.toThrowError(
      /permission denied for table schema_migrations; DATABASE_URL names a role without the right to change the schema: set DATABASE_MIGRATION_URL/,
    );
    server.psql({
      user: 'cel_owner',
      database: 'cel_app',
      file: GRANTS,
      variables: { service_role: 'cel_service', owner_role: 'cel_owner' },
    });

    // What the service does at start: the database is there, every migration applied.
    expect(await ensureDatabase(config.databaseUrl)).toEqual({ created: false });
    expect(await runMigrations(config.databaseUrl)).toEqual({ applied: [], alreadyApplied: migrated.applied.length });

    // A view batch: the state table, the dedup table, the stored offsets.
    const pool = poolOf(config.databaseUrl, 2);
    const view = liveViews['gp-view'];
    const topic = 'ns.clinical-events';
    await initStoredOffsets(pool, view.name, topic, new Map([[0, 0n]]));
    const events = patientEvents(1);
    const batch: Batch = {
      topic,
      partition: 0,
      seekedTo: 0n,
      records: events.map((event, i) => ({
        offset: BigInt(i),
        key: Buffer.from(event.patient.nhsNumber),
        value: Buffer.from(event.eventId),
        decoded: { ok: true as const, event },
      })),
    };
    const applied = await applyBatchExactlyOnce(pool, view, batch);
    expect(applied).toMatchObject({ applied: events.length, duplicates: 0 });
    expect((await readStoredOffsets(pool, view.name, topic)).get(0)).toBe(BigInt(events.length));
    const processed = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM view_processed_events');
    expect(processed.rows[0]?.n).toBe(events.length);
    // A bigserial (sequence) and a generated column computed by a project function.
    await pool.query(
      `INSERT INTO view_dead_letters (view, topic, partition, "offset", error_code, error, attempts)
       VALUES ('gp-view', $1, 0, 99, 'X', 'x', 1)`,
      [topic],
    );
    await pool.query("INSERT INTO ingest_source_messages (identity, content_hash) VALUES ('id-1', $1)", [
      'a'.repeat(64),
    ]);
    await pool.query('UPDATE view_dead_letters SET status = \'redriven\' WHERE "offset" = 99');
    await pool.query('DELETE FROM view_dead_letters WHERE "offset" = 99');

    const refused = async (sql: string): Promise<string | undefined> => {
      try {
        await pool.query(sql);
        return undefined;
      } catch (error) {
        return isPgError(error) ? error.code : String(error);
      }
    };
    expect(await refused('CREATE TABLE not_allowed (id int)')).toBe('42501');
    expect(await refused('DROP TABLE gp_view_patients')).toBe('42501');
    expect(await refused('ALTER TABLE gp_view_patients ADD COLUMN extra int')).toBe('42501');
    expect(await refused('TRUNCATE view_processed_events')).toBe('42501');
    expect(await refused('CREATE DATABASE not_allowed')).toBe('42501');

    // A migration the owner applies later: the service may use its table (default privileges),
    // and a migration still pending stops the service's start, naming DATABASE_MIGRATION_URL.
    const dir = mkdtempSync(join(tmpdir(), 'cel-migrations-'));
    try {
      for (const name of readdirSync(MIGRATIONS_DIR).filter((n) => n.endsWith('.sql'))) {
        copyFileSync(join(MIGRATIONS_DIR, name), join(dir, name));
      }
      writeFileSync(join(dir, '9998_later.sql'), 'CREATE TABLE later_table (id bigserial PRIMARY KEY, note text);\n');
      expect((await runMigrations(owner, { dir })).applied).toEqual(['9998_later.sql']);
      const inserted = await pool.query<{ id: string }>("INSERT INTO later_table (note) VALUES ('x') RETURNING id");
      expect(inserted.rows[0]?.id).toBe('1');
      writeFileSync(join(dir, '9999_pending.sql'), 'CREATE TABLE pending_table (id int);\n');
      await expect(runMigrations(config.databaseUrl, { dir })).rejects.toThrowError(
        /9999_pending.sql failed: permission denied for schema public; DATABASE_URL names a role without the right to change the schema: set DATABASE_MIGRATION_URL/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
