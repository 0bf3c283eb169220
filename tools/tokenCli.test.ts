/**
 * `npm run -s token` as a person runs it: a child process with a fresh LOCAL_STACK_DIR and no
 * AUTH_* settings prints exactly one development-issuer token (making the issuer's key), refuses
 * a bad role with the usage, and refuses to mint when an OIDC provider is configured.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { DEV_ISSUER, devKeyFile } from '../auth/devIssuer.js';
import { testTempDir } from '../test/support/testTempDir.js';

const run = promisify(execFile);
const repoRoot = new URL('../', import.meta.url).pathname;
const SPAWN_TIMEOUT_MS = 60_000;

type CliResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** The token command with only PATH, LOCAL_STACK_DIR and `extra` in its environment. */
async function tokenCli(
  args: readonly string[],
  localStackDir: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'tools/tokenCli.ts', ...args],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', LOCAL_STACK_DIR: localStackDir, ...extra },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const payloadOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('npm run -s token', () => {
  test(
    'prints one patient-bound token of the role from the development issuer, making its key',
    async () => {
      const dir = await testTempDir('cel-token-cli-');
      const result = await tokenCli(['--role', 'gp', '--patient', '9434765919'], dir);
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toHaveLength(2); // one line and its newline
      expect(lines[1]).toBe('');
      const token = lines[0] ?? '';
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const payload = payloadOf(token);
      expect(payload.roles).toEqual(['gp']);
      expect(payload.patient).toBe('9434765919');
      expect(payload.iss).toBe(DEV_ISSUER);
      const scopes = String(payload.scope).split(' ');
      expect(scopes.length).toBeGreaterThan(0);
      for (const scope of scopes) expect(scope).toMatch(/^patient\//);
      await expect(access(devKeyFile(dir))).resolves.toBeUndefined();
    },
    SPAWN_TIMEOUT_MS,
  );

  test(
    'a role that is not one exits 2 with the usage on stderr and nothing on stdout',
    async () => {
      const dir = await testTempDir('cel-token-cli-');
      const result = await tokenCli(['--role', 'surgeon'], dir);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('"surgeon" is not a role');
      expect(result.stderr).toContain('usage: npm run -s token -- --role ROLE');
    },
    SPAWN_TIMEOUT_MS,
  );

  test(
    'with an OIDC provider configured it mints nothing and names the issuer',
    async () => {
      const dir = await testTempDir('cel-token-cli-');
      const issuer = 'https://login.example.org/realms/clinical';
      const result = await tokenCli(['--role', 'gp'], dir, {
        AUTH_ISSUER: issuer,
        AUTH_JWKS_URL: `${issuer}/protocol/openid-connect/certs`,
        AUTH_AUDIENCE: 'clinical-event-log',
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(issuer);
      await expect(access(devKeyFile(dir))).rejects.toThrow();
    },
    SPAWN_TIMEOUT_MS,
  );
});
