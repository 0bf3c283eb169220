/**
 * The database part of the configuration: DATABASE_URL and DATABASE_MIGRATION_URL, with
 * DATABASE_SSL_CA_FILE, DATABASE_SSL_CERT_FILE, DATABASE_SSL_KEY_FILE, DATABASE_PASSWORD_FILE and
 * DATABASE_MIGRATION_PASSWORD_FILE folded into them as URL parameters, so every holder of the URL
 * (a pool, a tool, the registry process it is handed to) connects the same way. The migration
 * URL takes the TLS settings it does not set itself from DATABASE_URL. Pure.
 */
import { isAbsolute, resolve } from 'node:path';
import { nameDatabaseUrl, PASSWORD_FILE_PARAM, parseDatabaseConnection } from './postgresConnection.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/clinical_event_log';

export type DatabaseUrls = {
  /** DATABASE_URL: the service's role. */
  readonly databaseUrl: URL;
  /** DATABASE_MIGRATION_URL: the owner role migrations (and database creation) run as; unset, DATABASE_URL's. */
  readonly databaseMigrationUrl: URL | undefined;
};

type Problem = (variable: string, message: string) => void;

const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'] as const;

export function parseDatabaseUrls(
  value: (name: string) => string | undefined,
  problem: Problem,
  cwd = '.',
): DatabaseUrls | undefined {
  const file = (name: string): string | undefined => {
    const raw = value(name);
    return raw === undefined ? undefined : isAbsolute(raw) ? raw : resolve(cwd, raw);
  };
  const tlsFiles = [
    { variable: 'DATABASE_SSL_CA_FILE', param: 'sslrootcert', path: file('DATABASE_SSL_CA_FILE') },
    { variable: 'DATABASE_SSL_CERT_FILE', param: 'sslcert', path: file('DATABASE_SSL_CERT_FILE') },
    { variable: 'DATABASE_SSL_KEY_FILE', param: 'sslkey', path: file('DATABASE_SSL_KEY_FILE') },
  ] as const;

  const databaseUrl = parseUrl('DATABASE_URL', value('DATABASE_URL') ?? DEFAULT_DATABASE_URL, problem);
  if (databaseUrl !== undefined) {
    for (const { variable, param, path } of tlsFiles) fold(databaseUrl, 'DATABASE_URL', param, variable, path, problem);
    foldPasswordFile(databaseUrl, 'DATABASE_URL', 'DATABASE_PASSWORD_FILE', file('DATABASE_PASSWORD_FILE'), problem);
    check(databaseUrl, 'DATABASE_URL', problem);
  }

  const migrationRaw = value('DATABASE_MIGRATION_URL');
  const migrationPasswordFile = file('DATABASE_MIGRATION_PASSWORD_FILE');
  if (migrationRaw === undefined) {
    if (migrationPasswordFile !== undefined) {
      problem('DATABASE_MIGRATION_PASSWORD_FILE', 'set without DATABASE_MIGRATION_URL: set both or neither');
    }
    return databaseUrl === undefined ? undefined : { databaseUrl, databaseMigrationUrl: undefined };
  }
  const migrationUrl = parseUrl('DATABASE_MIGRATION_URL', migrationRaw, problem);
  if (migrationUrl === undefined || databaseUrl === undefined) return undefined;
  for (const param of TLS_PARAMS) {
    const inherited = databaseUrl.searchParams.get(param);
    if (!migrationUrl.searchParams.has(param) && inherited !== null) migrationUrl.searchParams.set(param, inherited);
  }
  foldPasswordFile(
    migrationUrl,
    'DATABASE_MIGRATION_URL',
    'DATABASE_MIGRATION_PASSWORD_FILE',
    migrationPasswordFile,
    problem,
  );
  if (migrationUrl.pathname !== databaseUrl.pathname) {
    problem(
      'DATABASE_MIGRATION_URL',
      `database ${migrationUrl.pathname.slice(1)} is not DATABASE_URL's (${databaseUrl.pathname.slice(1)}): both name the same database`,
    );
  }
  check(migrationUrl, 'DATABASE_MIGRATION_URL', problem);
  return { databaseUrl, databaseMigrationUrl: migrationUrl };
}

function parseUrl(variable: string, raw: string, problem: Problem): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problem(variable, 'not a URL: expected postgres://user[:password]@host:port/database');
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problem(variable, `scheme "${url.protocol}": expected postgres:// or postgresql://`);
    return undefined;
  }
  if (url.pathname.replace(/^\//, '') === '') {
    problem(variable, 'no database name: expected postgres://user@host:port/database');
    return undefined;
  }
  return nameDatabaseUrl(url, variable);
}

/** Puts a file variable into the URL's parameter; the two set differently is refused. */
function fold(
  url: URL,
  urlVariable: string,
  param: string,
  variable: string,
  path: string | undefined,
  problem: Problem,
): void {
  if (path === undefined) return;
  const inUrl = url.searchParams.get(param);
  if (inUrl !== null && inUrl !== path) {
    problem(variable, `${path}, but ${urlVariable} has ${param}=${inUrl}: set one of them`);
    return;
  }
  url.searchParams.set(param, path);
}

function foldPasswordFile(
  url: URL,
  urlVariable: string,
  variable: string,
  path: string | undefined,
  problem: Problem,
): void {
  if (path === undefined) return;
  if (url.password !== '') {
    problem(variable, `set, and ${urlVariable} carries a password too: remove the password from ${urlVariable}`);
    return;
  }
  fold(url, urlVariable, PASSWORD_FILE_PARAM, variable, path, problem);
}

function check(url: URL, variable: string, problem: Problem): void {
  const parsed = parseDatabaseConnection(url, variable);
  if (!parsed.ok) problem(variable, parsed.error);
}
