/**
 * The registry an integration test talks to: the one at SCHEMA_REGISTRY_URL when set
 * (Confluent, Karapace, Apicurio), else the embedded one, started on a free port over the
 * test's fresh database and closed after it. Test support; I/O.
 */
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { createPool, type Pool } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { test } from '../test/support/fixtures.js';
import { buildRegistryApp, type RegistryApp } from './buildRegistryApp.js';

const configured = loadConfig().schemaRegistry;

/** The registry under test when it is not ours; undefined when the embedded one is tested. */
export const externalRegistryUrl: string | undefined =
  configured === 'embedded' ? undefined : configured.toString().replace(/\/+$/, '');

export type EmbeddedRegistry = { readonly url: string; readonly app: RegistryApp; readonly pool: Pool };

/** One registry instance (its own pool and fastify app), as a separate process would have. */
export async function startEmbeddedRegistry(databaseUrl: URL): Promise<EmbeddedRegistry> {
  const pool = createPool(databaseUrl, { max: 4, applicationName: 'cel-registry-test' });
  // Errors only: a test that makes the registry fail on purpose would otherwise flood the output.
  const app = buildRegistryApp({ pool, logger: createLogger('error') });
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

export const registryTest = test.extend<{ registryUrl: string }>({
  registryUrl: async ({ databaseUrl }, use) => {
    if (externalRegistryUrl !== undefined) {
      await use(externalRegistryUrl);
      return;
    }
    await runMigrations(databaseUrl);
    const registry = await startEmbeddedRegistry(databaseUrl);
    try {
      await use(registry.url);
    } finally {
      await stopEmbeddedRegistry(registry);
    }
  },
});

export type RegistryRequest = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Sent as JSON unless `rawBody` is given. */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
};

export type RegistryResponse = { readonly status: number; readonly body: unknown };

/** One HTTP call; a JSON body comes back parsed, anything else as text. */
export async function callRegistry(baseUrl: string, request: RegistryRequest): Promise<RegistryResponse> {
  const payload = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
  if (payload !== undefined) headers['content-type'] = request.contentType ?? 'application/vnd.schemaregistry.v1+json';
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text }; // not JSON: compared as text
  }
}
