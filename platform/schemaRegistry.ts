/**
 * The one module that knows the schema-registry client (@kafkajs/confluent-schema-registry)
 * and the few Confluent REST calls it does not wrap. Runs unchanged against Confluent SR,
 * Karapace, Apicurio's ccompat API or the embedded registry. Every request carries the
 * credentials the handle was made with (HTTP Basic or a bearer token, platform/registryCredentials.ts);
 * the handle's `url` never holds them, so it can be printed. I/O.
 */
import csr from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { noteRegistryRequest } from '../observability/registryRequestEvents.js';
import { avroTypeOptions } from '../schemas/avroLogicalTypes.js';
import { authorizationOf, credentialsOfUrl, type RegistryCredentials } from './registryCredentials.js';

// The package is CommonJS; Node's ESM loader does not see its named exports.
const { SchemaRegistry, SchemaType, COMPATIBILITY } = csr;

export type CompatibilityLevel = keyof typeof COMPATIBILITY;

type Middleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

export type RegistryHandle = {
  /** The registry's URL without credentials: safe to print. */
  readonly url: URL;
  readonly client: InstanceType<typeof SchemaRegistry>;
  /** What every request sends; absent: none. */
  readonly credentials?: RegistryCredentials;
};

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class SchemaRegistryError extends Error {
  readonly code = 'CEL_ERR_SCHEMA_REGISTRY';
  readonly retriable: boolean;
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly registryErrorCode: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SchemaRegistryError';
    this.retriable = status === undefined || status >= 500;
  }
}

/**
 * A client for the registry at `url`. Credentials are the URL's user info, or `credentials`
 * (SCHEMA_REGISTRY_BASIC_AUTH_FILE or SCHEMA_REGISTRY_BEARER_TOKEN_FILE, loadRegistryCredentials);
 * not both.
 */
export function createRegistry(url: URL, credentials?: RegistryCredentials): RegistryHandle {
  const inUrl = credentialsOfUrl(url);
  if (inUrl !== undefined && credentials !== undefined) {
    throw new SchemaRegistryError(
      'the schema registry URL carries credentials (user info) and credentials were given too; give them one way',
      undefined,
      undefined,
    );
  }
  const sent = inUrl ?? credentials;
  const host = new URL(url.toString());
  host.username = '';
  host.password = '';
  const client = new SchemaRegistry(
    {
      host: host.toString().replace(/\/$/, ''),
      ...(sent?.kind === 'basic' ? { auth: { username: sent.username, password: sent.password } } : {}),
      middlewares: [observingMiddleware, ...(sent?.kind === 'bearer' ? [bearerMiddleware(sent.token)] : [])],
      retry: { retries: 3 },
    },
    { [SchemaType.AVRO]: avroTypeOptions() },
  );
  return { url: host, client, ...(sent === undefined ? {} : { credentials: sent }) };
}

/** A mappersmith middleware that reports each request's operation and outcome (observability/registryRequestEvents.ts). */
const observingMiddleware: Middleware = () => ({
  response: async (next) => {
    try {
      const response = await next();
      noteRegistryRequest(response.request().method(), response.request().path(), response.status());
      return response;
    } catch (error) {
      const failed = error as { request?: () => { method(): string; path(): string }; status?: () => number };
      const request = typeof failed.request === 'function' ? failed.request() : undefined;
      if (request !== undefined)
        noteRegistryRequest(
          request.method(),
          request.path(),
          typeof failed.status === 'function' ? failed.status() : 'unreachable',
        );
      throw error;
    }
  },
});

/** A mappersmith middleware that sends the bearer token with every request of the client. */
function bearerMiddleware(token: string): Middleware {
  return () => ({
    prepareRequest: async (next) => {
      const request = await next();
      return request.enhance({ headers: { authorization: `Bearer ${token}` } });
    },
  });
}

async function registryRequest(
  registry: RegistryHandle,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const target = new URL(
    path.replace(/^\//, ''),
    registry.url.toString().endsWith('/') ? registry.url : `${registry.url}/`,
  );
  const headers: Record<string, string> = { accept: CONTENT_TYPE };
  if (registry.credentials !== undefined) headers.authorization = authorizationOf(registry.credentials);
  if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
  let response: Response;
  try {
    response = await fetch(target, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    noteRegistryRequest(method, path, 'unreachable');
    throw new SchemaRegistryError(
      `schema registry at ${registry.url.origin} does not answer; start it (npm run stack -- up) or fix SCHEMA_REGISTRY_URL`,
      undefined,
      undefined,
      { cause: error },
    );
  }
  noteRegistryRequest(method, path, response.status);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a non-JSON body is kept as text for the error message
  }
  return { status: response.status, body: parsed };
}

function registryErrorOf(status: number, body: unknown, what: string): SchemaRegistryError {
  const code =
    typeof body === 'object' && body !== null && typeof (body as { error_code?: unknown }).error_code === 'number'
      ? (body as { error_code: number }).error_code
      : undefined;
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : String(body);
  return new SchemaRegistryError(`${what}: HTTP ${status} ${code ?? ''} ${message}`.trim(), status, code);
}

/** PUT /config/{subject}: the subject's own compatibility level. */
export async function setSubjectCompatibility(
  registry: RegistryHandle,
  subject: string,
  level: CompatibilityLevel,
): Promise<void> {
  const response = await registryRequest(registry, 'PUT', `config/${encodeURIComponent(subject)}`, {
    compatibility: level,
  });
  if (response.status !== 200) throw registryErrorOf(response.status, response.body, `setting ${level} on ${subject}`);
}

/** The latest registered schema text of a subject, or undefined when the subject has none. */
export async function latestSchemaOf(registry: RegistryHandle, subject: string): Promise<string | undefined> {
  const response = await registryRequest(registry, 'GET', `subjects/${encodeURIComponent(subject)}/versions/latest`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw registryErrorOf(response.status, response.body, `reading ${subject}`);
  const schema = (response.body as { schema?: unknown }).schema;
  return typeof schema === 'string' ? schema : undefined;
}

/** Whether the registry answers at all (GET /subjects). */
export async function isRegistryUp(registry: RegistryHandle): Promise<boolean> {
  try {
    return (await registryRequest(registry, 'GET', 'subjects')).status === 200;
  } catch {
    return false; // "down" is the answer asked for
  }
}

/**
 * Registers `schema` under `subject` (AVRO), returning its global id: a plain POST, so the
 * subject's compatibility level is left alone (the client library's `register` would set it on
 * a first registration, which the registry refuses to a `service` principal).
 */
export async function registerAvroSchema(registry: RegistryHandle, subject: string, schema: object): Promise<number> {
  const response = await registryRequest(registry, 'POST', `subjects/${encodeURIComponent(subject)}/versions`, {
    schema: JSON.stringify(schema),
  });
  const id = (response.body as { id?: unknown } | null)?.id;
  if (response.status !== 200 || typeof id !== 'number')
    throw registryErrorOf(response.status, response.body, `registering ${subject}`);
  return id;
}

/** The subject's own compatibility level, or undefined when it has none (it follows the global level). */
export async function subjectCompatibility(
  registry: RegistryHandle,
  subject: string,
): Promise<CompatibilityLevel | undefined> {
  const response = await registryRequest(registry, 'GET', `config/${encodeURIComponent(subject)}`);
  if (response.status === 404) return undefined;
  return levelOf(response, `reading the compatibility level of ${subject}`);
}

/** The registry's global compatibility level. */
export async function globalCompatibility(registry: RegistryHandle): Promise<CompatibilityLevel> {
  return levelOf(await registryRequest(registry, 'GET', 'config'), 'reading the global compatibility level');
}

function levelOf(response: { status: number; body: unknown }, what: string): CompatibilityLevel {
  const level = (response.body as { compatibilityLevel?: unknown } | null)?.compatibilityLevel;
  const known = typeof level === 'string' ? level.toUpperCase() : undefined;
  if (response.status !== 200 || known === undefined || !(known in COMPATIBILITY))
    throw registryErrorOf(response.status, response.body, what);
  return known as CompatibilityLevel;
}

/** The writer schema of a registry id, as an avsc Type (cached by the client). */
export async function writerTypeOf(registry: RegistryHandle, schemaId: number): Promise<avro.Type> {
  try {
    return (await registry.client.getSchema(schemaId)) as unknown as avro.Type;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    throw new SchemaRegistryError(
      `schema id ${schemaId}: ${error instanceof Error ? error.message : String(error)}`,
      typeof status === 'number' ? status : undefined,
      undefined,
      { cause: error },
    );
  }
}
