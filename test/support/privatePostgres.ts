/**
 * A private PostgreSQL 15 cluster for tests and benchmarks that need a server configured their
 * own way (TLS, password authentication, roles) without touching the machine's shared server:
 * initdb in a temporary directory, run as the `postgres` OS user (the binaries refuse root),
 * listening on 127.0.0.1 at a free port and on a Unix socket in that directory. With a server
 * certificate, TCP connections must use TLS (`hostssl` only) and authenticate with
 * scram-sha-256; the socket trusts its local users, which is how `admin()` connects. I/O.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export type PrivatePostgres = {
  readonly port: number;
  /** The Unix socket directory (trusted local connections). */
  readonly socketDir: string;
  /** A superuser client over the Unix socket, connected to `database` (default `postgres`). */
  admin(database?: string): Promise<pg.Client>;
  /** Runs `psql` over the Unix socket as `user` with `-v name=value` variables; its stdout. */
  psql(options: {
    readonly user: string;
    readonly database: string;
    readonly file: string;
    readonly variables?: Readonly<Record<string, string>>;
  }): string;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): void;
};

/** Why a private cluster cannot be started on this machine, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  try {
    execFileSync(join(POSTGRES_BIN, 'postgres'), ['--version'], { stdio: 'ignore' });
  } catch {
    return `${POSTGRES_BIN}/postgres is not installed (PostgreSQL 15 server binaries)`;
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no `postgres` OS user to run the server as';
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

export async function startPrivatePostgres(
  options: {
    /** Server certificate and key (PEM files); TCP then accepts TLS only. */
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
  } = {},
): Promise<PrivatePostgres> {
  const unavailable = privatePostgresUnavailable();
  if (unavailable !== undefined) throw new Error(`private PostgreSQL cannot start: ${unavailable}`);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const ownerGroup = asRoot ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const run = (command: string, args: readonly string[]): string =>
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const dir = mkdtempSync(join(tmpdir(), 'cel-pg-'));
  chmodSync(dir, 0o700);
  if (owner !== undefined && ownerGroup !== undefined) chownSync(dir, owner, ownerGroup);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(join(POSTGRES_BIN, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-sync',
    ]);
    const settings = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "password_encryption = 'scram-sha-256'",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'shared_buffers = 32MB',
      'max_connections = 50',
    ];
    const hba = ['local all all trust'];
    if (options.tls !== undefined) {
      const certFile = join(dir, 'server.crt');
      const keyFile = join(dir, 'server.key');
      copyFileSync(options.tls.certFile, certFile);
      copyFileSync(options.tls.keyFile, keyFile);
      chmodSync(keyFile, 0o600);
      if (owner !== undefined && ownerGroup !== undefined) {
        chownSync(certFile, owner, ownerGroup);
        chownSync(keyFile, owner, ownerGroup);
      }
      settings.push('ssl = on', `ssl_cert_file = '${certFile}'`, `ssl_key_file = '${keyFile}'`);
      hba.push('hostssl all all 127.0.0.1/32 scram-sha-256', 'hostnossl all all 127.0.0.1/32 reject');
    } else {
      hba.push('host all all 127.0.0.1/32 scram-sha-256');
    }
    const conf = join(data, 'postgresql.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}\n${settings.join('\n')}\n`);
    writeFileSync(join(data, 'pg_hba.conf'), `${hba.join('\n')}\n`);
    run(join(POSTGRES_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    const log = (() => {
      try {
        return readFileSync(join(dir, 'server.log'), 'utf8');
      } catch {
        return '';
      }
    })();
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `private PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}${typeof stderr === 'string' ? `\n${stderr}` : ''}${log === '' ? '' : `\n${log}`}`,
      { cause: error },
    );
  }

  return {
    port,
    socketDir: dir,
    async admin(database = 'postgres') {
      const client = new pg.Client({ host: dir, port, user: 'postgres', database, ssl: false });
      await client.connect();
      return client;
    },
    psql({ user, database, file, variables = {} }) {
      return execFileSync(
        join(POSTGRES_BIN, 'psql'),
        [
          '-X',
          '-q',
          '-h',
          dir,
          '-p',
          String(port),
          '-U',
          user,
          '-d',
          database,
          '-v',
          'ON_ERROR_STOP=1',
          ...Object.entries(variables).flatMap(([name, value]) => ['-v', `${name}=${value}`]),
          '-f',
          file,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGSSLMODE: 'disable' } },
      );
    },
    stop() {
      try {
        run(join(POSTGRES_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
