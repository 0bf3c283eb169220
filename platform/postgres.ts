/**
 * PostgreSQL plumbing: pools, the one transaction helper, and creating the database when it is
 * missing. Every connection's options (TLS, password file) come from platform/postgresConnection.ts. I/O.
 */
import pg from 'pg';
import type { Logger } from './logger.js';
import {
  clientConfigFor,
  describeTarget,
  explainConnectionError,
  poolConfigFor,
  withDatabase,
} from './postgresConnection.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** A client inside an open transaction. */
export type Tx = pg.PoolClient;

/** A table or column name as a quoted SQL identifier (names come from code, never from input). */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

// BIGINT (int8) comes back as a string; offsets are converted at the edge by their own function.
export function createPool(
  databaseUrl: URL,
  options: { readonly max?: number; readonly applicationName?: string; readonly logger?: Logger } = {},
): Pool {
  const base = poolConfigFor(databaseUrl);
  const pool = new pg.Pool({
    ...base,
    max: options.max ?? 10,
    application_name: options.applicationName ?? base.application_name ?? 'clinical-event-log',
    // A process frozen inside a transaction (paused, swapped out, partitioned) must not hold
    // its locks for ever: the server ends the transaction, and a waiting writer fails fast
    // and retries rather than hanging behind it.
    idle_in_transaction_session_timeout: 15_000,
    lock_timeout: 10_000,
  });
  explainConnectFailures(pool, databaseUrl);
  // An idle client whose connection the server closes emits 'error' on the pool; unhandled,
  // that ends the process. The pool has already discarded the client, so logging is enough.
  pool.on('error', (error) =>
    options.logger?.warn({ err: error }, 'idle PostgreSQL connection lost; the pool replaces it'),
  );
  // A checked-out client has no pool listener: a connection lost between two of its queries
  // (a failover, pg_terminate_backend) would be an unhandled 'error' that ends the process.
  // Its next query fails instead (a transient error: the work is retried on a new client).
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      options.logger?.warn({ err: error }, 'PostgreSQL connection lost while in use; its work is retried'),
    );
  });
  return pool;
}

/**
 * A new connection refused for its certificate, its host name or its password fails with the
 * error naming the setting to fix (DatabaseTlsError, DatabaseAuthError), for every query and
 * checkout of the pool; other failures (the server down) stay as they are, to be retried.
 */
function explainConnectFailures(pool: pg.Pool, databaseUrl: URL): void {
  const connect = pool.connect.bind(pool) as (
    callback?: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ) => Promise<pg.PoolClient> | undefined;
  const explained = (error: Error): Error => explainConnectionError(error, databaseUrl) ?? error;
  const patched = (
    callback?: (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ) =>
    callback === undefined
      ? connect()?.catch((error: unknown) => {
          throw error instanceof Error ? explained(error) : error;
        })
      : connect((error, client, done) =>
          callback(error === undefined || error === null ? error : explained(error), client, done),
        );
  pool.connect = patched as typeof pool.connect;
}

/**
 * Runs `work` in one transaction on one client. Any error rolls back; a client whose
 * connection may be broken is released with the error so the pool discards it.
 */
export async function withTransaction<T>(pool: Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let releaseError: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      releaseError = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(releaseError);
  }
}

/**
 * A read-only REPEATABLE READ transaction: every statement in `work` sees the same snapshot,
 * and it takes no locks that writers wait for.
 */
export async function withSnapshot<T>(pool: Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export class DatabaseUnreachableError extends Error {
  readonly code = 'CEL_ERR_DATABASE_UNREACHABLE';
  readonly retriable = true;
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(`PostgreSQL at ${url} does not answer; start it, or set DATABASE_URL to a reachable server`, options);
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * Connects one client, turning a certificate, TLS or password failure into an error naming the
 * setting to fix, and any other failure into DatabaseUnreachableError.
 */
export async function connectClient(databaseUrl: URL, extra: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client(clientConfigFor(databaseUrl, extra));
  // A connection lost while idle must not end the process; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionFailure(error, databaseUrl);
  }
  return client;
}

function connectionFailure(error: unknown, databaseUrl: URL): Error {
  return (
    explainConnectionError(error, databaseUrl) ??
    new DatabaseUnreachableError(describeTarget(databaseUrl), { cause: error })
  );
}

/**
 * Creates the database named in the URL when it does not exist. An existing database is found by
 * connecting to it, so a role that may not connect to the `postgres` database (the service's
 * least-rights role) passes; only a missing one is created through `postgres`.
 */
export async function ensureDatabase(databaseUrl: URL): Promise<{ readonly created: boolean }> {
  const name = decodeURIComponent(databaseUrl.pathname.replace(/^\//, ''));
  try {
    const client = await connectClient(databaseUrl, { connectionTimeoutMillis: 5000 });
    await client.end();
    return { created: false };
  } catch (error) {
    // 3D000: the database does not exist.
    if (!(error instanceof DatabaseUnreachableError && isPgError(error.cause) && error.cause.code === '3D000'))
      throw error;
  }
  const client = await connectClient(withDatabase(databaseUrl, 'postgres'), { connectionTimeoutMillis: 5000 });
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1::text', [name]);
    if (exists.rowCount !== 0) return { created: false };
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // Two processes starting at once may both try; the loser sees duplicate_database (42P04).
      if (isPgError(error) && error.code === '42P04') return { created: false };
      throw error;
    }
    return { created: true };
  } finally {
    await client.end();
  }
}

/** Drops a database (tests and benchmarks clean up after themselves). */
export async function dropDatabase(databaseUrl: URL): Promise<void> {
  const name = decodeURIComponent(databaseUrl.pathname.replace(/^\//, ''));
  const client = await connectClient(withDatabase(databaseUrl, 'postgres'));
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Whether the server answers a trivial query within the timeout. */
export async function isDatabaseUp(databaseUrl: URL, timeoutMs = 2000): Promise<boolean> {
  let client: pg.Client | undefined;
  try {
    client = await connectClient(databaseUrl, { connectionTimeoutMillis: timeoutMs });
    await client.query('SELECT 1');
    return true;
  } catch {
    return false; // "down" is the answer asked for; the caller reports it
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** Errors worth retrying as they are: lock and serialization conflicts, a connection lost or the server restarting. */
export function isTransientPgError(error: unknown): boolean {
  if (!isPgError(error))
    return (
      error instanceof Error &&
      /Connection terminated|ECONNRESET|ECONNREFUSED|not queryable|Client was closed/.test(error.message)
    );
  return (
    ['55P03', '40001', '40P01', '57P01', '57P02', '57P03', '25P03'].includes(error.code) || error.code.startsWith('08')
  );
}

export function isPgError(error: unknown): error is Error & { readonly code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
