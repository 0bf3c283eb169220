/**
 * The registry an integration test talks to: the one at SCHEMA_REGISTRY_URL when set
 * (Confluent, Karapace, Apicurio), else the embedded one, started on a free port over the
 * test's fresh database and closed after it, with one HTTP Basic user per registry role
 * (name = role, a random password per test process) and bearer tokens from a development
 * issuer of its own. `registryUrl` carries the `service` user (what the project's clients run
 * as), `adminRegistryUrl` the `admin` user. Its global level is FULL_TRANSITIVE until set, as
 * the local stack runs it (`confluentDefaultsRegistryTest`: BACKWARD). Test support; I/O.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { DEFAULT_AUDIENCE, DEV_ISSUER, type DevSigningKey, loadOrCreateDevKey } from '../auth/devIssuer.js';
import type { Role } from '../auth/roles.js';
import { allowedAlgorithms } from '../auth/verifyToken.js';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { createPool, type Pool } from '../platform/postgres.js';
import { authorizationOf, credentialsOfUrl } from '../platform/registryCredentials.js';
import { runMigrations } from '../platform/runMigrations.js';
import { test } from '../test/support/fixtures.js';
import { buildRegistryApp, type RegistryApp } from './buildRegistryApp.js';
import type { CompatibilityLevel } from './compatibilityLevel.js';
import { type RegistryAuth, registryTokenVerifier } from './registryAuth.js';
import { type RegistryRole, registryRoles } from './registryRoles.js';
import { createRegistryUsers, hashRegistryUser } from './registryUsers.js';

const configured = loadConfig().schemaRegistry;

/** The registry under test when it is not ours; undefined when the embedded one is tested. */
export const externalRegistryUrl: string | undefined =
  configured === 'embedded' ? undefined : configured.toString().replace(/\/+$/, '');

/** The test users' passwords: one per registry role, the user named after the role. */
export const testRegistryPasswords: Readonly<Record<RegistryRole, string>> = Object.freeze(
  Object.fromEntries(registryRoles.map((role) => [role, randomBytes(12).toString('hex')])) as Record<
    RegistryRole,
    string
  >,
);

export type TestRegistryAuth = {
  readonly auth: RegistryAuth;
  /** The development issuer key the registry trusts: `tokenFor` signs with it. */
  readonly key: DevSigningKey;
  /** A bearer token with these project roles from the issuer the registry trusts. */
  tokenFor(roles: readonly Role[]): Promise<string>;
};

let sharedAuth: Promise<TestRegistryAuth> | undefined;

/** The users and token issuer every embedded registry of this test process trusts (made once). */
export function testRegistryAuth(): Promise<TestRegistryAuth> {
  sharedAuth ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-registry-auth-'));
    const users = createRegistryUsers(
      await Promise.all(registryRoles.map((role) => hashRegistryUser(role, role, testRegistryPasswords[role]))),
    );
    const verifyToken = await registryTokenVerifier(
      { mode: 'development', audience: DEFAULT_AUDIENCE, algorithms: allowedAlgorithms, clockSkewSeconds: 30 },
      dir,
    );
    const key = await loadOrCreateDevKey(dir);
    return {
      auth: { users, verifyToken },
      key,
      tokenFor: (roles) => tokenSignedBy(key, roles),
    };
  })();
  return sharedAuth;
}

/** A token with these project roles signed by `key` (any key: one the registry does not trust is refused). */
export async function tokenSignedBy(key: DevSigningKey, roles: readonly Role[]): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...roles], scope: '' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEFAULT_AUDIENCE)
    .setSubject(`dev-${roles.join('-') || 'no-role'}`)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600)
    .sign(await importJWK(key.privateJwk, 'ES256'));
}

/** The `Authorization` header of the test user of `role`. */
export function basicAuthorization(role: RegistryRole): string {
  return `Basic ${Buffer.from(`${role}:${testRegistryPasswords[role]}`).toString('base64')}`;
}

/** `url` with the test user of `role` as its user info. */
export function urlAs(url: string, role: RegistryRole): string {
  const withUser = new URL(url);
  withUser.username = role;
  withUser.password = testRegistryPasswords[role];
  return withUser.toString().replace(/\/+$/, '');
}

export type EmbeddedRegistry = {
  /** The origin, without credentials. */
  readonly url: string;
  readonly app: RegistryApp;
  readonly pool: Pool;
};

/** One registry instance (its own pool and fastify app), as a separate process would have. */
export async function startEmbeddedRegistry(
  databaseUrl: URL,
  options: { readonly defaultCompatibility?: CompatibilityLevel } = {},
): Promise<EmbeddedRegistry> {
  const { auth } = await testRegistryAuth();
  const pool = createPool(databaseUrl, { max: 4, applicationName: 'cel-registry-test' });
  // Errors only: a test that makes the registry fail on purpose would otherwise flood the output.
  const app = buildRegistryApp({ pool, logger: createLogger('error'), auth, ...options });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, pool };
}

/**
 * Closes the app and waits until every pooled connection is closed: `pool.end()` resolves
 * before the sockets do, and the test's database is dropped right after.
 */
export async function stopEmbeddedRegistry(registry: EmbeddedRegistry): Promise<void> {
  await registry.app.close();
  let open = registry.pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    registry.pool.on('remove', () => {
      open -= 1;
      if (open === 0) resolve();
    });
  });
  await registry.pool.end();
  await closed;
}

export type RegistryUnderTest = {
  /** The origin without credentials (the external registry's URL as configured). */
  readonly url: string;
  readonly embedded: boolean;
  /** The URL with the test user of `role` (the external registry's URL as configured). */
  as(role: RegistryRole): string;
};

type RegistryFixtures = {
  registry: RegistryUnderTest;
  registryUrl: string;
  adminRegistryUrl: string;
};

function registryFixtures(defaultCompatibility: CompatibilityLevel) {
  return test.extend<RegistryFixtures>({
    registry: async ({ databaseUrl }, use) => {
      if (externalRegistryUrl !== undefined) {
        await use({ url: externalRegistryUrl, embedded: false, as: () => externalRegistryUrl });
        return;
      }
      await runMigrations(databaseUrl);
      const registry = await startEmbeddedRegistry(databaseUrl, { defaultCompatibility });
      try {
        await use({ url: registry.url, embedded: true, as: (role) => urlAs(registry.url, role) });
      } finally {
        await stopEmbeddedRegistry(registry);
      }
    },
    registryUrl: async ({ registry }, use) => {
      await use(registry.as('service'));
    },
    adminRegistryUrl: async ({ registry }, use) => {
      await use(registry.as('admin'));
    },
  });
}

/** The embedded registry as the local stack runs it: FULL_TRANSITIVE until an admin sets another level. */
export const registryTest = registryFixtures('FULL_TRANSITIVE');

/** The embedded registry as Confluent ships: BACKWARD until set (the conformance table). */
export const confluentDefaultsRegistryTest = registryFixtures('BACKWARD');

export type RegistryRequest = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Sent as JSON unless `rawBody` is given. */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  /** The Authorization header to send instead of the URL's user info; null sends none. */
  readonly authorization?: string | null;
};

export type RegistryResponse = { readonly status: number; readonly body: unknown; readonly headers: Headers };

/**
 * One HTTP call; a JSON body comes back parsed, anything else as text. User info in `baseUrl`
 * is sent as HTTP Basic (fetch refuses URLs with credentials).
 */
export async function callRegistry(baseUrl: string, request: RegistryRequest): Promise<RegistryResponse> {
  const payload = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
  if (payload !== undefined) headers['content-type'] = request.contentType ?? 'application/vnd.schemaregistry.v1+json';
  const base = new URL(baseUrl);
  const credentials = credentialsOfUrl(base);
  const authorization =
    request.authorization === undefined
      ? credentials === undefined
        ? undefined
        : authorizationOf(credentials)
      : request.authorization;
  if (authorization !== null && authorization !== undefined) headers.authorization = authorization;
  base.username = '';
  base.password = '';
  const response = await fetch(`${base.toString().replace(/\/+$/, '')}${request.path}`, {
    method: request.method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, headers: response.headers };
  } catch {
    return { status: response.status, body: text, headers: response.headers }; // not JSON: compared as text
  }
}
