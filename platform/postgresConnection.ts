/**
 * How the project connects to PostgreSQL: a database URL (DATABASE_URL, DATABASE_MIGRATION_URL)
 * read with libpq's meaning of `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, and the pg
 * client options built from it. Every pg Pool and Client of the project is configured here, so
 * pg's own reading of connection strings (and of PGSSLMODE) never decides what TLS means.
 *
 * sslmode (libpq): disable, allow and prefer connect without TLS (they protect against no active
 * attacker; pg cannot fall back from TLS to plain text on one connection); require encrypts
 * without checking the certificate, unless a CA is given, when it checks the chain as verify-ca
 * does (libpq's rule for a root certificate); verify-ca checks the chain; verify-full checks the
 * chain and that the certificate is for the host connected to. A CA is `sslrootcert=<file>` (or
 * DATABASE_SSL_CA_FILE, folded into the URL by the configuration); `sslrootcert=system`, or none,
 * trusts the CAs Node trusts. The password comes from the URL or from a file
 * (`cel_password_file`, from DATABASE_PASSWORD_FILE), read again for every new connection so a
 * rotated file is picked up; it is never logged. Parsing is pure; building the pg options reads
 * the certificate files. I/O.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { err, ok, type Result } from '../core/result.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The URL parameter the configuration puts DATABASE_PASSWORD_FILE (or DATABASE_MIGRATION_PASSWORD_FILE) in. */
export const PASSWORD_FILE_PARAM = 'cel_password_file';

/** URL parameters read here; any other is refused (a misspelt `sslmode` must not mean "no TLS"). */
const KNOWN_PARAMS = new Set([
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  PASSWORD_FILE_PARAM,
  'application_name',
  'connect_timeout',
  'host',
]);

export type DatabaseTls = {
  /** The certificate chain is checked (against `caFile`, or the CAs Node trusts). */
  readonly verifyChain: boolean;
  /** The certificate must be for the host connected to (verify-full). */
  readonly verifyHost: boolean;
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
};

export type DatabasePassword =
  | { readonly kind: 'none' }
  | { readonly kind: 'in-url'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string };

export type DatabaseConnection = {
  /** The environment variable the URL came from, for error messages. */
  readonly variable: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  readonly password: DatabasePassword;
  readonly sslMode: SslMode;
  /** undefined: no TLS. */
  readonly tls: DatabaseTls | undefined;
  readonly applicationName: string | undefined;
  readonly connectTimeoutMs: number | undefined;
};

// Which variable a URL object came from (the configuration names the URLs it builds).
const variables = new WeakMap<URL, string>();

/** Records that `url` is the value of `variable`, so errors about it name that variable. */
export function nameDatabaseUrl(url: URL, variable: string): URL {
  variables.set(url, variable);
  return url;
}

export function variableOf(url: URL): string {
  return variables.get(url) ?? 'DATABASE_URL';
}

/** A copy of `url` pointing at another database, keeping its variable's name. */
export function withDatabase(url: URL, database: string): URL {
  const copy = new URL(url.toString());
  copy.pathname = `/${encodeURIComponent(database)}`;
  return nameDatabaseUrl(copy, variableOf(url));
}

/** The host, port and database of a URL, without user or password, for messages. */
export function describeTarget(url: URL): string {
  const host = url.hostname === '' ? (url.searchParams.get('host') ?? 'localhost') : url.hostname;
  return `${host}:${url.port || '5432'}/${decodeURIComponent(url.pathname.replace(/^\//, ''))}`;
}

/** Reads a database URL with libpq's meanings. Pure. */
export function parseDatabaseConnection(url: URL, variable = variableOf(url)): Result<DatabaseConnection, string> {
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return err(`scheme "${url.protocol}": expected postgres:// or postgresql://`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') return err('no database name: expected postgres://user@host:port/database');
  const unknown = [...url.searchParams.keys()].filter((key) => !KNOWN_PARAMS.has(key));
  if (unknown.length > 0) {
    return err(
      `unknown parameter(s) ${unknown.join(', ')}: expected ${[...KNOWN_PARAMS].filter((p) => p !== PASSWORD_FILE_PARAM).join(', ')}`,
    );
  }
  const param = (name: string): string | undefined => {
    const raw = url.searchParams.get(name);
    return raw === null || raw === '' ? undefined : raw;
  };
  const sslModeRaw = param('sslmode') ?? 'prefer';
  const sslMode = SSL_MODES.find((mode) => mode === sslModeRaw);
  if (sslMode === undefined) return err(`sslmode=${sslModeRaw}: expected one of ${SSL_MODES.join(', ')}`);
  const rootCert = param('sslrootcert');
  const caFile = rootCert === 'system' ? undefined : rootCert;
  const certFile = param('sslcert');
  const keyFile = param('sslkey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    return err('sslcert and sslkey (DATABASE_SSL_CERT_FILE, DATABASE_SSL_KEY_FILE) go together: set both or neither');
  }
  const passwordFile = param(PASSWORD_FILE_PARAM);
  const urlPassword = decodeURIComponent(url.password);
  if (passwordFile !== undefined && urlPassword !== '') {
    return err(
      `carries a password and a password file is set too (${variable === 'DATABASE_MIGRATION_URL' ? 'DATABASE_MIGRATION_PASSWORD_FILE' : 'DATABASE_PASSWORD_FILE'}): keep one`,
    );
  }
  const timeoutRaw = param('connect_timeout');
  const timeoutSeconds = timeoutRaw === undefined ? undefined : Number(timeoutRaw);
  if (timeoutSeconds !== undefined && !(Number.isInteger(timeoutSeconds) && timeoutSeconds >= 0)) {
    return err(`connect_timeout=${timeoutRaw}: expected whole seconds`);
  }
  const port = url.port === '' ? 5432 : Number(url.port);
  const encrypted = sslMode === 'require' || sslMode === 'verify-ca' || sslMode === 'verify-full';
  return ok({
    variable,
    host: url.hostname === '' ? (param('host') ?? 'localhost') : url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    database,
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password:
      passwordFile !== undefined
        ? { kind: 'file', path: passwordFile }
        : urlPassword !== ''
          ? { kind: 'in-url', value: urlPassword }
          : { kind: 'none' },
    sslMode,
    tls: encrypted
      ? {
          // libpq: require with a root certificate checks the chain as verify-ca does.
          verifyChain: sslMode !== 'require' || caFile !== undefined,
          verifyHost: sslMode === 'verify-full',
          caFile,
          certFile,
          keyFile,
        }
      : undefined,
    applicationName: param('application_name'),
    connectTimeoutMs: timeoutSeconds === undefined || timeoutSeconds === 0 ? undefined : timeoutSeconds * 1000,
  });
}

/** A password file's content: one trailing newline (LF or CRLF) removed. Pure. */
export function passwordFromFile(content: string): string {
  return content.replace(/\r?\n$/, '');
}

export class DatabaseConfigError extends Error {
  readonly code = 'CEL_ERR_DATABASE_CONFIG';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseConfigError';
  }
}

/** The variable that set a password file, for messages. */
function passwordFileVariable(connection: DatabaseConnection): string {
  return connection.variable === 'DATABASE_MIGRATION_URL'
    ? 'DATABASE_MIGRATION_PASSWORD_FILE'
    : 'DATABASE_PASSWORD_FILE';
}

function caVariable(connection: DatabaseConnection): string {
  return `DATABASE_SSL_CA_FILE, or sslrootcert in ${connection.variable}`;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DatabaseConfigError(`${what}: cannot read ${path} (${code})`, { cause: error });
  }
}

/** The node TLS options of a connection (reads the CA and client certificate files). */
export function tlsOptionsOf(connection: DatabaseConnection): ConnectionOptions | false {
  const tls = connection.tls;
  if (tls === undefined) return false;
  const options: ConnectionOptions = { rejectUnauthorized: tls.verifyChain };
  if (tls.caFile !== undefined) options.ca = readPem(tls.caFile, caVariable(connection));
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    options.cert = readPem(tls.certFile, `DATABASE_SSL_CERT_FILE, or sslcert in ${connection.variable}`);
    options.key = readPem(tls.keyFile, `DATABASE_SSL_KEY_FILE, or sslkey in ${connection.variable}`);
  }
  // verify-ca: the chain only; node checks the name unless told not to.
  if (tls.verifyChain && !tls.verifyHost) options.checkServerIdentity = () => undefined;
  return options;
}

/** The pg Client options for a URL; `extra` adds pool or client settings. */
export function clientConfigFor(url: URL, extra: pg.ClientConfig = {}): pg.ClientConfig {
  const parsed = parseDatabaseConnection(url);
  if (!parsed.ok) throw new DatabaseConfigError(`${variableOf(url)}: ${parsed.error}`);
  const connection = parsed.value;
  const password = connection.password;
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    ...(connection.user === undefined ? {} : { user: connection.user }),
    ...(password.kind === 'in-url' ? { password: password.value } : {}),
    ...(password.kind === 'file' ? { password: () => readPasswordFile(password.path, connection) } : {}),
    // Always explicit: left undefined, pg would read PGSSLMODE with its own meaning.
    ssl: tlsOptionsOf(connection),
    ...(connection.applicationName === undefined ? {} : { application_name: connection.applicationName }),
    ...(connection.connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connection.connectTimeoutMs }),
    ...extra,
  };
}

/** The pg Pool options for a URL. */
export function poolConfigFor(url: URL, extra: pg.PoolConfig = {}): pg.PoolConfig {
  return { ...clientConfigFor(url), ...extra };
}

async function readPasswordFile(path: string, connection: DatabaseConnection): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DatabaseConfigError(`${passwordFileVariable(connection)}: cannot read ${path} (${code})`, {
      cause: error,
    });
  }
  const password = passwordFromFile(content);
  if (password === '') throw new DatabaseConfigError(`${passwordFileVariable(connection)}: ${path} is empty`);
  return password;
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export class DatabaseTlsError extends Error {
  readonly code = 'CEL_ERR_DATABASE_TLS';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseTlsError';
  }
}

export class DatabaseAuthError extends Error {
  readonly code = 'CEL_ERR_DATABASE_AUTH';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseAuthError';
  }
}

/**
 * A connection failure explained: a certificate not signed by the CA, a certificate for another
 * host, a server without TLS, a refused password. undefined when it is none of these (the
 * server is down or unreachable). Pure.
 */
export function explainConnectionError(error: unknown, url: URL): Error | undefined {
  if (error instanceof DatabaseConfigError) return error;
  if (!(error instanceof Error)) return undefined;
  const parsed = parseDatabaseConnection(url);
  if (!parsed.ok) return undefined;
  const connection = parsed.value;
  const target = describeTarget(url);
  const code = (error as { code?: unknown }).code;
  const variable = connection.variable;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
    const ca = connection.tls?.caFile;
    return new DatabaseTlsError(
      ca === undefined
        ? `PostgreSQL at ${target}: the server's certificate is not signed by a CA this machine trusts (${error.message}); give its CA in DATABASE_SSL_CA_FILE (or sslrootcert in ${variable})`
        : `PostgreSQL at ${target}: the server's certificate is not signed by the CA in ${ca} (${caVariable(connection)}): ${error.message}`,
      { cause: error },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new DatabaseTlsError(`PostgreSQL at ${target}: the server's certificate is not valid now (${code})`, {
      cause: error,
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new DatabaseTlsError(
      `PostgreSQL at ${target}: the server's certificate is not for host ${connection.host} (sslmode=verify-full in ${variable} checks the name): connect by a name the certificate holds, or use sslmode=verify-ca (${error.message})`,
      { cause: error },
    );
  }
  if (error.message === 'The server does not support SSL connections') {
    return new DatabaseTlsError(
      `PostgreSQL at ${target} does not accept TLS connections, and sslmode=${connection.sslMode} in ${variable} requires TLS`,
      { cause: error },
    );
  }
  if (code === '28P01') {
    const from =
      connection.password.kind === 'file'
        ? `the password in ${connection.password.path} (${passwordFileVariable(connection)})`
        : connection.password.kind === 'in-url'
          ? `the password in ${variable}`
          : `no password (set ${passwordFileVariable(connection)})`;
    return new DatabaseAuthError(
      `PostgreSQL at ${target} refused user ${connection.user ?? '(default)'} with ${from}: ${error.message}`,
      { cause: error },
    );
  }
  if (code === '28000') {
    return new DatabaseAuthError(
      `PostgreSQL at ${target} refused user ${connection.user ?? '(default)'} (${variable}, sslmode=${connection.sslMode}): ${error.message}`,
      { cause: error },
    );
  }
  return undefined;
}
