/**
 * What the Docker image runs, without Docker: `npm run build` compiled into a directory with
 * only the production dependencies of package-lock.json beside it (what `npm ci --omit=dev`
 * installs), then the compiled entry points started with `node`: the service loads its whole
 * module graph (and stops on a bad variable, naming it), the migrations apply from dist/, the
 * token tool mints a token, and the Dockerfile's HEALTHCHECK command tells a healthy service from
 * an unhealthy or absent one. I/O.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { describe, expect, test } from './support/fixtures.js';

const execFileAsync = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
let app = '';

type Run = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs `node args…` in the built app with only `env` (and PATH) set. */
async function node(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [...args], {
      cwd: app,
      env: { PATH: process.env.PATH, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : -1, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'cel-compiled-'));
  await execFileAsync(process.execPath, ['--import', 'tsx', 'bin/build.ts', '--out', join(app, 'dist')], {
    cwd: ROOT,
  });
  await copyFile(join(ROOT, 'package.json'), join(app, 'package.json'));
  // What `npm ci --omit=dev` installs: every package of the lock file not marked dev, and nothing else.
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || path.slice('node_modules/'.length).includes('node_modules/')) continue;
    if (entry.dev === true) continue;
    const target = join(app, path);
    await mkdir(join(target, '..'), { recursive: true });
    await symlink(join(ROOT, path), target);
  }
}, 120_000);

afterAll(async () => {
  if (app !== '') await rm(app, { recursive: true, force: true });
});

describe('the compiled service with production dependencies only', () => {
  test('node dist/bin/start.js loads the whole service and stops on a bad variable, naming it', async () => {
    const run = await node(['dist/bin/start.js'], { PORT: 'eighty', LOG_LEVEL: 'silent' });
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('PORT="eighty": expected an integer');
  });

  test('node dist/bin/migrate.js applies every migration, read from dist/migrations', async ({ databaseUrl }) => {
    const run = await node(['dist/bin/migrate.js'], { DATABASE_URL: databaseUrl.toString(), LOG_LEVEL: 'silent' });
    expect(run.stderr).toBe('');
    const migrations = (await readdir(join(ROOT, 'migrations'))).filter((f) => f.endsWith('.sql'));
    expect(run.stdout).toMatch(new RegExp(`^${migrations.length} migration\\(s\\) applied: `));
  });

  test('node dist/tools/tokenCli.js mints a development token', async () => {
    const state = join(app, 'state');
    const run = await node(['dist/tools/tokenCli.js', '--role', 'gp'], { LOCAL_STACK_DIR: state });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test("the Dockerfile's HEALTHCHECK passes on a healthy /health only", async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const argv = JSON.parse(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    let status = 200;
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? status : 404).end('{"status":"up"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? String(address.port) : '';
    try {
      expect((await node(argv.slice(1), { PORT: port })).code).toBe(0);
      status = 503;
      expect((await node(argv.slice(1), { PORT: port })).code).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect((await node(argv.slice(1), { PORT: port })).code).toBe(1);
  });
});
