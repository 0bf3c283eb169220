/**
 * Authentication for an API built in-process (fastify `inject`): the development issuer with
 * a key in a fresh temporary directory, and headers carrying a token of the role the access
 * policy names for a route. Test support; I/O (the key file).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthOptions, authFromConfig } from '../../api/authPlugin.js';
import { DEFAULT_AUDIENCE } from '../../auth/devIssuer.js';
import { allowedAlgorithms } from '../../auth/verifyToken.js';
import type { AccessRecord } from '../../schemas/generated/events.js';
import { type DevTokens, defaultRoleFor, devTokens } from './tokens.js';

export type TestAuth = {
  readonly auth: AuthOptions;
  /** The access records the API wrote, in order. */
  readonly recorded: AccessRecord[];
  readonly tokens: DevTokens;
  /** `Authorization` for the route's default role (none for anonymous routes). */
  headersFor(method: string, url: string): Promise<Record<string, string>>;
};

export async function testAuth(): Promise<TestAuth> {
  const dir = await mkdtemp(join(tmpdir(), 'cel-auth-'));
  const recorded: AccessRecord[] = [];
  const trust = await authFromConfig(
    { mode: 'development', audience: DEFAULT_AUDIENCE, algorithms: allowedAlgorithms, clockSkewSeconds: 30 },
    dir,
  );
  const tokens = await devTokens(dir);
  const auth: AuthOptions = {
    ...trust,
    recordAccess: async (records) => {
      recorded.push(...records);
    },
    clock: () => new Date(),
  };
  return {
    auth,
    recorded,
    tokens,
    async headersFor(method, url) {
      const role = defaultRoleFor(method, url);
      return role === undefined ? {} : { authorization: `Bearer ${await tokens.token(role)}` };
    },
  };
}
