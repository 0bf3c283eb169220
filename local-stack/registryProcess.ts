/**
 * Runs the embedded schema registry (registry/registryServer.ts) as a detached child process
 * of the local stack, with a pid file and a log file, like the Kafka nodes. It is given the
 * stack's registry users file (registryCredentials.ts, made on first start) and FULL_TRANSITIVE
 * as its global level until an admin sets another; it is checked, and reported up, as the
 * `service` user. A registry still running from before it required credentials is restarted. I/O.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { authorizationOf, type RegistryCredentials } from '../platform/registryCredentials.js';
import { freePort, isOurProcessAlive, isPortFree, stopProcess } from './processControl.js';
import {
  ensureRegistryCredentials,
  hasRegistryCredentials,
  type RegistryCredentialFiles,
  readRegistryCredentials,
  registryCredentialFiles,
} from './registryCredentials.js';

const REPO_ROOT = new URL('../', import.meta.url).pathname;
const SERVER = join(REPO_ROOT, 'registry', 'registryServer.ts');
const DEFAULT_PORT = 18081;

export type RegistryProcess = {
  /** Its origin, without credentials. */
  readonly url: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The stack's credential files, once made. */
  readonly credentials: RegistryCredentialFiles | undefined;
};

/** The project's global level on the embedded registry until an admin sets another. */
const DEFAULT_COMPATIBILITY = 'FULL_TRANSITIVE';

type RegistryState = { readonly port: number };

const stateFile = (dir: string) => join(dir, 'registry.json');
const pidFile = (dir: string) => join(dir, 'registry.pid');
export const registryLogFile = (dir: string) => join(dir, 'registry.log');

export class RegistryStartError extends Error {
  readonly code = 'CEL_ERR_REGISTRY_START';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'RegistryStartError';
  }
}

async function readState(dir: string): Promise<RegistryState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as RegistryState;
  } catch {
    return undefined;
  }
}

async function readPid(dir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile(dir), 'utf8')).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The status of `GET /subjects` with these credentials (none: anonymously), or undefined when nothing answers. */
async function subjectsStatus(url: string, credentials: RegistryCredentials | undefined): Promise<number | undefined> {
  try {
    const response = await fetch(`${url}/subjects`, {
      signal: AbortSignal.timeout(2000),
      headers: credentials === undefined ? {} : { authorization: authorizationOf(credentials) },
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined; // not up (yet)
  }
}

/** Whether the registry answers the stack's `service` user. */
async function answers(url: string, credentials: RegistryCredentials | undefined): Promise<boolean> {
  return credentials !== undefined && (await subjectsStatus(url, credentials)) === 200;
}

export async function registryStatus(dir: string): Promise<RegistryProcess | undefined> {
  const state = await readState(dir);
  if (state === undefined) return undefined;
  const url = `http://127.0.0.1:${state.port}`;
  const pid = await readPid(dir);
  const alive = pid !== undefined && (await isOurProcessAlive(pid, SERVER));
  const service = await readRegistryCredentials(dir, 'service');
  return {
    url,
    pid,
    running: alive && (await answers(url, service)),
    credentials: hasRegistryCredentials(dir) ? registryCredentialFiles(dir) : undefined,
  };
}

/** The running registry's URL with the `service` user's credentials as user info (for clients), if it runs. */
export async function serviceRegistryUrl(dir: string): Promise<URL | undefined> {
  const status = await registryStatus(dir);
  const service = await readRegistryCredentials(dir, 'service');
  if (status === undefined || service?.kind !== 'basic') return undefined;
  const url = new URL(status.url);
  url.username = encodeURIComponent(service.username);
  url.password = encodeURIComponent(service.password);
  return url;
}

/** Starts the registry in `dir` (or finds it running) and waits until it answers. */
export async function startRegistry(options: {
  readonly dir: string;
  readonly databaseUrl: URL;
  readonly port?: number | 'auto';
}): Promise<RegistryProcess> {
  await mkdir(options.dir, { recursive: true });
  const credentials = await ensureRegistryCredentials(options.dir);
  const service = await readRegistryCredentials(options.dir, 'service');
  const current = await registryStatus(options.dir);
  if (current?.running === true) {
    // One started before the registry required credentials answers anyone: replace it.
    if ((await subjectsStatus(current.url, undefined)) === 401) return current;
    if (current.pid !== undefined) await stopProcess(current.pid, SERVER, 10_000);
  }
  const stalePid = await readPid(options.dir);
  if (stalePid !== undefined && (await isOurProcessAlive(stalePid, SERVER))) await stopProcess(stalePid, SERVER);
  await rm(pidFile(options.dir), { force: true });

  const requested = options.port ?? 'auto';
  let port: number;
  if (requested !== 'auto') {
    if (!(await isPortFree(requested))) {
      throw new RegistryStartError(
        `SCHEMA_REGISTRY_PORT=${requested} is taken by another process; choose another or unset it`,
      );
    }
    port = requested;
  } else {
    const previous = (await readState(options.dir))?.port ?? DEFAULT_PORT;
    port = (await isPortFree(previous)) ? previous : await freePort();
  }
  await writeFile(stateFile(options.dir), `${JSON.stringify({ port })}\n`);
  const out = openSync(registryLogFile(options.dir), 'a');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SERVER,
      '--port',
      String(port),
      '--users',
      credentials.usersFile,
      '--compatibility',
      DEFAULT_COMPATIBILITY,
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', out, out],
      // LOCAL_STACK_DIR: the development token issuer's key is the stack's.
      env: { ...process.env, DATABASE_URL: options.databaseUrl.toString(), LOCAL_STACK_DIR: options.dir },
    },
  );
  if (child.pid === undefined) throw new RegistryStartError('the registry process did not start');
  child.unref();
  await writeFile(pidFile(options.dir), `${child.pid}\n`);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await answers(url, service)) return { url, pid: child.pid, running: true, credentials };
    if (!(await isOurProcessAlive(child.pid, SERVER))) break;
    await delay(100);
  }
  const log = await readFile(registryLogFile(options.dir), 'utf8').catch(() => '');
  throw new RegistryStartError(
    `the embedded schema registry did not answer on ${url}; last log lines:\n${log.split('\n').slice(-15).join('\n')}`,
  );
}

export async function stopRegistry(dir: string): Promise<void> {
  const pid = await readPid(dir);
  if (pid !== undefined) await stopProcess(pid, SERVER, 10_000);
  await rm(pidFile(dir), { force: true });
}
