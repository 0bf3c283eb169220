/**
 * Reading database URLs with libpq's meanings, the pg options built from them, the password
 * file's content, and the environment variables folded into the URLs by the configuration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { parseDatabaseUrls } from './databaseConfig.js';
import {
  clientConfigFor,
  DatabaseAuthError,
  DatabaseConfigError,
  DatabaseTlsError,
  explainConnectionError,
  PASSWORD_FILE_PARAM,
  parseDatabaseConnection,
  passwordFromFile,
  tlsOptionsOf,
} from './postgresConnection.js';

const dir = mkdtempSync(join(tmpdir(), 'cel-pgconn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name: string, content = `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const connection = (url: string) => {
  const parsed = parseDatabaseConnection(new URL(url));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('sslmode with libpq meanings', () => {
  test.each([
    ['disable', undefined],
    ['allow', undefined],
    ['prefer', undefined],
    ['require', { verifyChain: false, verifyHost: false }],
    ['verify-ca', { verifyChain: true, verifyHost: false }],
    ['verify-full', { verifyChain: true, verifyHost: true }],
  ] as const)('sslmode=%s', (mode, expected) => {
    const tls = connection(`postgres://u@db.example:5433/app?sslmode=${mode}`).tls;
    if (expected === undefined) expect(tls).toBeUndefined();
    else expect(tls).toMatchObject(expected);
  });

  test('no sslmode is prefer: no TLS', () => {
    const parsed = connection('postgres://u@db.example/app');
    expect(parsed).toMatchObject({ sslMode: 'prefer', tls: undefined, host: 'db.example', port: 5432 });
  });

  test('require with a root certificate checks the chain, as libpq does', () => {
    const ca = pem('ca-require.pem');
    expect(connection(`postgres://u@h/app?sslmode=require&sslrootcert=${ca}`).tls).toMatchObject({
      verifyChain: true,
      verifyHost: false,
      caFile: ca,
    });
  });

  test('sslrootcert=system trusts the CAs Node trusts', () => {
    expect(connection('postgres://u@h/app?sslmode=verify-full&sslrootcert=system').tls?.caFile).toBeUndefined();
  });

  test('a misspelt parameter, an unknown sslmode, a lone sslcert are refused', () => {
    const refused = (url: string) => {
      const parsed = parseDatabaseConnection(new URL(url));
      return parsed.ok ? 'accepted' : parsed.error;
    };
    expect(refused('postgres://u@h/app?sslmod=verify-full')).toMatch(/unknown parameter\(s\) sslmod/);
    expect(refused('postgres://u@h/app?ssl=true')).toMatch(/unknown parameter\(s\) ssl:/);
    expect(refused('postgres://u@h/app?sslmode=verify')).toMatch(/sslmode=verify: expected one of disable/);
    expect(refused('postgres://u@h/app?sslmode=require&sslcert=/c.pem')).toMatch(/sslcert and sslkey/);
    expect(refused('postgres://u@h/')).toMatch(/no database name/);
  });
});

describe('the pg options', () => {
  test('verify-full: the CA file, the chain and the name checked by node', () => {
    const ca = pem('ca-full.pem');
    const config = clientConfigFor(new URL(`postgres://svc@db.example:6543/app?sslmode=verify-full&sslrootcert=${ca}`));
    expect(config).toMatchObject({ host: 'db.example', port: 6543, database: 'app', user: 'svc' });
    const ssl = config.ssl as Exclude<typeof config.ssl, boolean | undefined>;
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(String(ssl.ca)).toContain('ca-full.pem');
    expect(ssl.checkServerIdentity).toBeUndefined();
  });

  test('verify-ca: the chain only (the name check is switched off)', () => {
    const ca = pem('ca-only.pem');
    const ssl = tlsOptionsOf(connection(`postgres://u@h/app?sslmode=verify-ca&sslrootcert=${ca}`));
    expect(ssl).not.toBe(false);
    if (ssl === false) return;
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });

  test('require without a CA: encrypted, nothing checked', () => {
    expect(tlsOptionsOf(connection('postgres://u@h/app?sslmode=require'))).toEqual({ rejectUnauthorized: false });
  });

  test('disable: ssl is false, never left to PGSSLMODE', () => {
    expect(clientConfigFor(new URL('postgres://u@h/app?sslmode=disable')).ssl).toBe(false);
    expect(clientConfigFor(new URL('postgres://u@h/app')).ssl).toBe(false);
  });

  test('a client certificate and key are read from their files', () => {
    const cert = pem('client.pem');
    const key = pem('client.key', 'KEY');
    const ssl = tlsOptionsOf(connection(`postgres://u@h/app?sslmode=require&sslcert=${cert}&sslkey=${key}`));
    if (ssl === false) throw new Error('expected TLS');
    expect(String(ssl.cert)).toContain('client.pem');
    expect(String(ssl.key)).toBe('KEY');
  });

  test('a CA file that cannot be read is an error naming the variable and the file', () => {
    expect(() =>
      clientConfigFor(new URL(`postgres://u@h/app?sslmode=verify-full&sslrootcert=${join(dir, 'missing.pem')}`)),
    ).toThrowError(/DATABASE_SSL_CA_FILE, or sslrootcert in DATABASE_URL: cannot read .*missing.pem \(ENOENT\)/);
  });

  test('the password comes from the URL, or from the file on each connection', async () => {
    expect(clientConfigFor(new URL('postgres://u:s%40cret@h/app')).password).toBe('s@cret');
    const file = pem('password', 'first\n');
    const config = clientConfigFor(new URL(`postgres://u@h/app?${PASSWORD_FILE_PARAM}=${file}`));
    const password = config.password;
    if (typeof password !== 'function') throw new Error('expected a password function');
    expect(await password()).toBe('first');
    writeFileSync(file, 'rotated\r\n');
    expect(await password()).toBe('rotated');
    writeFileSync(file, '');
    await expect(password()).rejects.toThrowError(/DATABASE_PASSWORD_FILE: .*password is empty/);
  });

  test('a password file keeps all but one trailing newline', () => {
    expect(passwordFromFile('secret\n')).toBe('secret');
    expect(passwordFromFile('secret\n\n')).toBe('secret\n');
    expect(passwordFromFile(' spaced ')).toBe(' spaced ');
  });
});

describe('connection failures explained', () => {
  const url = new URL(`postgres://svc@db.example/app?sslmode=verify-full&sslrootcert=/etc/ca.pem`);
  const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

  test('a certificate not signed by the CA names the CA file and the variables', () => {
    const explained = explainConnectionError(failure('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate'), url);
    expect(explained).toBeInstanceOf(DatabaseTlsError);
    expect(explained?.message).toMatch(
      /db.example:5432\/app: the server's certificate is not signed by the CA in \/etc\/ca.pem \(DATABASE_SSL_CA_FILE, or sslrootcert in DATABASE_URL\)/,
    );
  });

  test('a certificate for another host names the host and verify-full', () => {
    const explained = explainConnectionError(
      failure('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match'),
      url,
    );
    expect(explained?.message).toMatch(/not for host db.example \(sslmode=verify-full in DATABASE_URL/);
  });

  test('a refused password names where it came from, never the password', () => {
    const fromFile = new URL(`postgres://svc@db.example/app?${PASSWORD_FILE_PARAM}=/run/secrets/pg`);
    const explained = explainConnectionError(failure('28P01', 'password authentication failed'), fromFile);
    expect(explained).toBeInstanceOf(DatabaseAuthError);
    expect(explained?.message).toMatch(
      /refused user svc with the password in \/run\/secrets\/pg \(DATABASE_PASSWORD_FILE\)/,
    );
    const inUrl = explainConnectionError(
      failure('28P01', 'password authentication failed'),
      new URL('postgres://svc:hunter2@db.example/app'),
    );
    expect(inUrl?.message).toMatch(/with the password in DATABASE_URL/);
    expect(inUrl?.message).not.toContain('hunter2');
  });

  test('an unreachable server is not explained here', () => {
    expect(explainConnectionError(failure('ECONNREFUSED', 'connect ECONNREFUSED'), url)).toBeUndefined();
    const config = new DatabaseConfigError('DATABASE_PASSWORD_FILE: cannot read /x');
    expect(explainConnectionError(config, url)).toBe(config);
  });
});

describe('the configuration folds the file variables into the URLs', () => {
  const parse = (env: Record<string, string>) => {
    const problems: string[] = [];
    const urls = parseDatabaseUrls(
      (name) => env[name],
      (variable, message) => problems.push(`${variable}: ${message}`),
      '/srv/cel',
    );
    return { urls, problems };
  };

  test('DATABASE_SSL_* and DATABASE_PASSWORD_FILE become URL parameters (relative paths from the working directory)', () => {
    const { urls, problems } = parse({
      DATABASE_URL: 'postgres://svc@db.example/app?sslmode=verify-full',
      DATABASE_SSL_CA_FILE: 'certs/ca.pem',
      DATABASE_PASSWORD_FILE: '/run/secrets/pg',
    });
    expect(problems).toEqual([]);
    const params = urls?.databaseUrl.searchParams;
    expect(params?.get('sslrootcert')).toBe('/srv/cel/certs/ca.pem');
    expect(params?.get(PASSWORD_FILE_PARAM)).toBe('/run/secrets/pg');
    expect(urls?.databaseMigrationUrl).toBeUndefined();
  });

  test('a password in the URL and a password file are refused, naming both', () => {
    const { problems } = parse({
      DATABASE_URL: 'postgres://svc:secret@db.example/app',
      DATABASE_PASSWORD_FILE: '/run/secrets/pg',
    });
    expect(problems).toEqual([
      'DATABASE_PASSWORD_FILE: set, and DATABASE_URL carries a password too: remove the password from DATABASE_URL',
    ]);
  });

  test('sslrootcert in the URL and another DATABASE_SSL_CA_FILE are refused', () => {
    const { problems } = parse({
      DATABASE_URL: 'postgres://svc@db.example/app?sslmode=verify-full&sslrootcert=/a.pem',
      DATABASE_SSL_CA_FILE: '/b.pem',
    });
    expect(problems).toEqual([
      'DATABASE_SSL_CA_FILE: /b.pem, but DATABASE_URL has sslrootcert=/a.pem: set one of them',
    ]);
  });

  test('the migration URL takes the TLS settings it lacks from DATABASE_URL and its own password file', () => {
    const { urls, problems } = parse({
      DATABASE_URL: 'postgres://svc@db.example/app?sslmode=verify-full',
      DATABASE_SSL_CA_FILE: '/ca.pem',
      DATABASE_MIGRATION_URL: 'postgres://owner@db.example/app',
      DATABASE_MIGRATION_PASSWORD_FILE: '/run/secrets/owner',
    });
    expect(problems).toEqual([]);
    const migration = urls?.databaseMigrationUrl;
    expect(migration?.searchParams.get('sslmode')).toBe('verify-full');
    expect(migration?.searchParams.get('sslrootcert')).toBe('/ca.pem');
    expect(migration?.searchParams.get(PASSWORD_FILE_PARAM)).toBe('/run/secrets/owner');
    expect(migration === undefined ? undefined : parseDatabaseConnection(migration).ok).toBe(true);
    if (migration === undefined) return;
    // Errors about it name its own variables.
    const explained = explainConnectionError(Object.assign(new Error('refused'), { code: '28P01' }), migration);
    expect(explained?.message).toMatch(/\/run\/secrets\/owner \(DATABASE_MIGRATION_PASSWORD_FILE\)/);
  });

  test('the migration URL must name the same database; its password file needs it', () => {
    expect(
      parse({
        DATABASE_URL: 'postgres://svc@db.example/app',
        DATABASE_MIGRATION_URL: 'postgres://owner@db.example/other',
      }).problems,
    ).toEqual(["DATABASE_MIGRATION_URL: database other is not DATABASE_URL's (app): both name the same database"]);
    expect(parse({ DATABASE_MIGRATION_PASSWORD_FILE: '/x' }).problems).toEqual([
      'DATABASE_MIGRATION_PASSWORD_FILE: set without DATABASE_MIGRATION_URL: set both or neither',
    ]);
  });

  test('parseConfig reports a bad sslmode under DATABASE_URL', () => {
    const result = parseConfig({ DATABASE_URL: 'postgres://u@h/app?sslmode=verify' });
    expect(result.ok ? [] : result.error).toEqual([
      {
        variable: 'DATABASE_URL',
        message: 'sslmode=verify: expected one of disable, allow, prefer, require, verify-ca, verify-full',
      },
    ]);
  });
});
