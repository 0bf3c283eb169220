/**
 * The one module that knows the schema-registry client (@kafkajs/confluent-schema-registry)
 * and the few Confluent REST calls it does not wrap. Runs unchanged against Confluent SR,
 * Karapace, Apicurio's ccompat API or the embedded registry. I/O.
 */
import csr from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { avroTypeOptions } from '../schemas/avroLogicalTypes.js';

// The package is CommonJS; Node's ESM loader does not see its named exports.
const { SchemaRegistry, SchemaType, COMPATIBILITY } = csr;

export type CompatibilityLevel = keyof typeof COMPATIBILITY;

export type RegistryHandle = {
  readonly url: URL;
  readonly client: InstanceType<typeof SchemaRegistry>;
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

/** A client for the registry at `url` (credentials may be given as URL user info). */
export function createRegistry(url: URL): RegistryHandle {
  const host = new URL(url.toString());
  const auth =
    host.username === ''
      ? undefined
      : { username: decodeURIComponent(host.username), password: decodeURIComponent(host.password) };
  host.username = '';
  host.password = '';
  const client = new SchemaRegistry(
    { host: host.toString().replace(/\/$/, ''), ...(auth === undefined ? {} : { auth }), retry: { retries: 3 } },
    { [SchemaType.AVRO]: avroTypeOptions() },
  );
  return { url, client };
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
  if (registry.url.username !== '') {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(registry.url.username)}:${decodeURIComponent(registry.url.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
  let response: Response;
  try {
    response = await fetch(target, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    throw new SchemaRegistryError(
      `schema registry at ${registry.url.origin} does not answer; start it (npm run stack -- up) or fix SCHEMA_REGISTRY_URL`,
      undefined,
      undefined,
      { cause: error },
    );
  }
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

/** Registers `schema` under `subject` (AVRO), returning its global id. */
export async function registerAvroSchema(
  registry: RegistryHandle,
  subject: string,
  schema: object,
  compatibility: CompatibilityLevel,
): Promise<number> {
  try {
    const { id } = await registry.client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject, compatibility: COMPATIBILITY[compatibility] },
    );
    return id;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    throw new SchemaRegistryError(
      `registering ${subject}: ${error instanceof Error ? error.message : String(error)}`,
      typeof status === 'number' ? status : undefined,
      typeof status === 'number' ? status : undefined,
      { cause: error },
    );
  }
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
