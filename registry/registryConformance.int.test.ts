/**
 * The Confluent REST API as a table: given some requests, this request gets this status and
 * body. Runs against SCHEMA_REGISTRY_URL when set, else against the embedded registry.
 */
import avro from 'avsc';
import { createLogger } from '../platform/logger.js';
import { createPool } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { buildRegistryApp } from './buildRegistryApp.js';
import { compatibilityLevels } from './compatibilityLevel.js';
import {
  basicAuthorization,
  callRegistry,
  confluentDefaultsRegistryTest,
  externalRegistryUrl,
  type RegistryRequest,
  type RegistryResponse,
  testRegistryAuth,
} from './registryUnderTest.js';

const record = (fields: readonly unknown[]): string =>
  JSON.stringify({ type: 'record', name: 'PatientDischarged', namespace: 'cel.events', fields });
const reason = { name: 'reason', type: 'string' };
const note = { name: 'note', type: ['null', 'string'], default: null };
/** The first schema of every subject below. */
const v1 = record([reason]);
/** v1 plus an optional field: compatible with v1 at every level. */
const v2 = record([reason, note]);
/** reason changed from string to int: incompatible with v1 and v2 in both directions. */
const changedType = record([{ name: 'reason', type: 'int' }]);
/** reason removed: v1 cannot read it (FORWARD), v2 can be read by it (BACKWARD). */
const withoutReason = record([note]);

/**
 * Placeholders in paths and bodies: {s} and {s2} the test's subjects, {id} the id the last
 * registration answered, {level} the global level a given step read.
 */
type Context = { readonly s: string; readonly s2: string; id: number; level: string };

const register = (schema: string, subject = '{s}'): RegistryRequest => ({
  method: 'POST',
  path: `/subjects/${subject}/versions`,
  body: { schema },
});
const setLevel = (level: string, subject = '{s}'): RegistryRequest => ({
  method: 'PUT',
  path: `/config/${subject}`,
  body: { compatibility: level },
});
const get = (path: string): RegistryRequest => ({ method: 'GET', path });
const del = (path: string): RegistryRequest => ({ method: 'DELETE', path });
const post = (path: string, schema: string): RegistryRequest => ({ method: 'POST', path, body: { schema } });

/** Avro's Parsing Canonical Form: registries may format a schema differently but not change it. */
function canonicalOf(schema: unknown): string {
  try {
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
    return avro.Type.forSchema(JSON.parse(text) as avro.Schema)
      .fingerprint('sha256')
      .toString('hex');
  } catch {
    return 'not an Avro schema';
  }
}
const sameSchema = (expected: string) =>
  expect.toSatisfy((actual: unknown) => canonicalOf(actual) === canonicalOf(expected), `the schema ${expected}`);
const errorCode = (code: number | readonly number[]) => ({
  error_code: typeof code === 'number' ? code : expect.toBeOneOf([...code]),
  message: expect.any(String),
});
const INCOMPATIBLE = [409, 40901] as const;

type Row = {
  readonly name: string;
  readonly given?: readonly RegistryRequest[];
  readonly when: RegistryRequest;
  readonly status: number;
  /** A subset of the body (objects), the exact body (arrays, scalars), or a function of the context. */
  readonly body?: unknown | ((c: Context) => unknown);
  /** Checked against the embedded registry only: wording and choices of ours. */
  readonly message?: RegExp;
  /** The row describes our registry's choice where other registries legitimately differ. */
  readonly embeddedOnly?: boolean;
};

const rows: readonly Row[] = [
  // Schema types and registration
  {
    name: 'schema types include AVRO',
    when: get('/schemas/types'),
    status: 200,
    body: expect.arrayContaining(['AVRO']),
  },
  { name: 'register a new schema', when: register(v1), status: 200, body: { id: expect.any(Number) } },
  {
    name: 'register the same schema again: same id',
    given: [register(v1)],
    when: register(v1),
    status: 200,
    body: (c: Context) => ({ id: c.id }),
  },
  {
    name: 'register the same schema in other whitespace and key order: same id',
    given: [register(v1)],
    when: register(
      JSON.stringify(
        { fields: [{ type: 'string', name: 'reason' }], name: 'cel.events.PatientDischarged', type: 'record' },
        null,
        2,
      ),
    ),
    status: 200,
    body: (c: Context) => ({ id: c.id }),
  },
  {
    name: 'the same schema under another subject: same id',
    given: [register(v1)],
    when: register(v1, '{s2}'),
    status: 200,
    body: (c: Context) => ({ id: c.id }),
  },
  {
    name: 'a new version: a new id',
    given: [register(v1)],
    when: register(v2),
    status: 200,
    body: (c: Context) => ({
      id: expect.toSatisfy((id: unknown) => typeof id === 'number' && id !== c.id, 'another id'),
    }),
  },
  {
    name: 'an incompatible schema under BACKWARD is 409',
    given: [setLevel('BACKWARD'), register(v1)],
    when: register(changedType),
    status: 409,
    body: errorCode(INCOMPATIBLE),
    message: /field 'reason' changed type from string to int/,
  },
  {
    name: 'a removed field without a default under FORWARD is 409',
    given: [setLevel('FORWARD'), register(v1)],
    when: register(withoutReason),
    status: 409,
    body: errorCode(INCOMPATIBLE),
    message: /field 'reason' was removed without a default/,
  },
  {
    name: 'a removed field under BACKWARD is accepted',
    given: [setLevel('BACKWARD'), register(v2)],
    when: register(withoutReason),
    status: 200,
    body: { id: expect.any(Number) },
  },
  {
    name: 'an added optional field under FULL_TRANSITIVE is accepted',
    given: [setLevel('FULL_TRANSITIVE'), register(v1)],
    when: register(v2),
    status: 200,
    body: { id: expect.any(Number) },
  },
  {
    name: 'an incompatible schema under NONE is accepted',
    given: [setLevel('NONE'), register(v1)],
    when: register(changedType),
    status: 200,
    body: { id: expect.any(Number) },
  },
  {
    name: 'invalid Avro is 42201',
    when: register('{"type":"record","name":"A","fields":[{"name":"x","type":"B"}]}'),
    status: 422,
    body: errorCode(42201),
  },
  {
    name: 'a schema that is not JSON is 42201',
    when: register('{"type": "record",'),
    status: 422,
    body: errorCode(42201),
  },
  {
    name: 'a body without a schema is 42201',
    when: { method: 'POST', path: '/subjects/{s}/versions', body: {} },
    status: 422,
    body: errorCode(42201),
    embeddedOnly: true,
  },
  {
    name: 'another schema type is 42201',
    when: {
      method: 'POST',
      path: '/subjects/{s}/versions',
      body: { schema: 'syntax = "proto3"; message M {}', schemaType: 'PROTOBUF' },
    },
    status: 422,
    body: errorCode(42201),
    message: /"PROTOBUF" is not supported/,
    embeddedOnly: true,
  },
  {
    name: 'schema references are 42201',
    when: {
      method: 'POST',
      path: '/subjects/{s}/versions',
      body: { schema: v1, references: [{ name: 'cel.X', subject: '{s2}', version: 1 }] },
    },
    status: 422,
    body: errorCode(42201),
    embeddedOnly: true,
  },
  {
    name: 'malformed JSON is 400',
    when: { method: 'POST', path: '/subjects/{s}/versions', rawBody: '{"schema": ' },
    status: 400,
    body: errorCode(400),
  },
  {
    name: 'an unsupported content type is 415',
    when: { method: 'POST', path: '/subjects/{s}/versions', rawBody: '{}', contentType: 'text/plain' },
    status: 415,
    body: errorCode(415),
  },
  {
    name: 'application/json is accepted',
    when: { ...register(v1), contentType: 'application/json' },
    status: 200,
    body: { id: expect.any(Number) },
  },
  {
    name: 'application/vnd.schemaregistry+json is accepted',
    when: { ...register(v1), contentType: 'application/vnd.schemaregistry+json' },
    status: 200,
    body: { id: expect.any(Number) },
  },
  {
    name: 'application/octet-stream is accepted',
    when: { ...register(v1), contentType: 'application/octet-stream' },
    status: 200,
    body: { id: expect.any(Number) },
  },
  { name: 'an unknown path is 404', when: get('/no-such-resource'), status: 404, body: errorCode(404) },

  // Lookup
  {
    name: 'look up a registered schema',
    given: [register(v1), register(v2)],
    when: post('/subjects/{s}', v1),
    status: 200,
    body: (c: Context) => ({ subject: c.s, version: 1, id: expect.any(Number), schema: sameSchema(v1) }),
  },
  {
    name: 'look up a schema the subject does not have: 40403',
    given: [register(v1)],
    when: post('/subjects/{s}', v2),
    status: 404,
    body: errorCode(40403),
  },
  {
    name: 'look up in an unknown subject: 40401',
    when: post('/subjects/{s}', v1),
    status: 404,
    body: errorCode(40401),
  },
  {
    name: 'look up invalid Avro: 42201',
    given: [register(v1)],
    when: post('/subjects/{s}', '{"type":"nope"}'),
    status: 422,
    body: errorCode(42201),
  },

  // Schemas by id
  {
    name: 'a schema by id',
    given: [register(v1)],
    when: get('/schemas/ids/{id}'),
    status: 200,
    body: { schema: sameSchema(v1) },
  },
  {
    name: 'a schema by id, raw',
    given: [register(v1)],
    when: get('/schemas/ids/{id}/schema'),
    status: 200,
    body: sameSchema(v1),
  },
  {
    name: 'the subject versions of a schema id',
    given: [register(v1, '{s2}'), register(v1)],
    when: get('/schemas/ids/{id}/versions'),
    status: 200,
    body: (c: Context) =>
      expect.arrayContaining([
        { subject: c.s, version: 1 },
        { subject: c.s2, version: 1 },
      ]),
  },
  { name: 'an unknown schema id: 40403', when: get('/schemas/ids/2000000000'), status: 404, body: errorCode(40403) },
  {
    name: 'the versions of an unknown schema id: 40403',
    when: get('/schemas/ids/2000000000/versions'),
    status: 404,
    body: errorCode(40403),
  },

  // Subjects and versions
  {
    name: 'subjects include a registered one',
    given: [register(v1)],
    when: get('/subjects'),
    status: 200,
    body: (c: Context) => expect.arrayContaining([c.s]),
  },
  {
    name: 'subjects leave out a soft-deleted one',
    given: [register(v1), del('/subjects/{s}')],
    when: get('/subjects'),
    status: 200,
    body: (c: Context) => expect.not.arrayContaining([c.s]),
  },
  {
    name: 'subjects with deleted=true include a soft-deleted one',
    given: [register(v1), del('/subjects/{s}')],
    when: get('/subjects?deleted=true'),
    status: 200,
    body: (c: Context) => expect.arrayContaining([c.s]),
  },
  {
    name: 'the versions of a subject',
    given: [register(v1), register(v2)],
    when: get('/subjects/{s}/versions'),
    status: 200,
    body: [1, 2],
  },
  {
    name: 'the versions of an unknown subject: 40401',
    when: get('/subjects/{s}/versions'),
    status: 404,
    body: errorCode(40401),
  },
  {
    name: 'a version',
    given: [register(v1), register(v2)],
    when: get('/subjects/{s}/versions/1'),
    status: 200,
    body: (c: Context) => ({ subject: c.s, version: 1, id: expect.any(Number), schema: sameSchema(v1) }),
  },
  {
    name: 'the latest version',
    given: [register(v1), register(v2)],
    when: get('/subjects/{s}/versions/latest'),
    status: 200,
    body: (c: Context) => ({ subject: c.s, version: 2, id: c.id, schema: sameSchema(v2) }),
  },
  {
    name: 'version -1 is the latest',
    given: [register(v1), register(v2)],
    when: get('/subjects/{s}/versions/-1'),
    status: 200,
    body: { version: 2 },
  },
  {
    name: 'a version, raw schema',
    given: [register(v1)],
    when: get('/subjects/{s}/versions/1/schema'),
    status: 200,
    body: sameSchema(v1),
  },
  {
    name: 'a version that does not exist: 40402',
    given: [register(v1)],
    when: get('/subjects/{s}/versions/9'),
    status: 404,
    body: errorCode(40402),
  },
  {
    name: 'version 0: 42202',
    given: [register(v1)],
    when: get('/subjects/{s}/versions/0'),
    status: 422,
    body: errorCode(42202),
  },
  {
    name: 'version "first": 42202',
    given: [register(v1)],
    when: get('/subjects/{s}/versions/first'),
    status: 422,
    body: errorCode(42202),
  },
  {
    name: 'a version of an unknown subject: 40401',
    when: get('/subjects/{s}/versions/1'),
    status: 404,
    body: errorCode(40401),
  },
  {
    name: 'a soft-deleted version is not read: 40402',
    given: [register(v1), register(v2), del('/subjects/{s}/versions/1')],
    when: get('/subjects/{s}/versions/1'),
    status: 404,
    body: errorCode(40402),
  },
  {
    name: 'a soft-deleted version with deleted=true',
    given: [register(v1), register(v2), del('/subjects/{s}/versions/1')],
    when: get('/subjects/{s}/versions/1?deleted=true'),
    status: 200,
    body: { version: 1, schema: sameSchema(v1) },
  },
  {
    name: 'a soft-deleted subject reads as unknown: 40401',
    given: [register(v1), del('/subjects/{s}')],
    when: get('/subjects/{s}/versions/latest'),
    status: 404,
    body: errorCode(40401),
  },

  // Deletes
  {
    name: 'soft delete a subject: its versions',
    given: [register(v1), register(v2)],
    when: del('/subjects/{s}'),
    status: 200,
    body: [1, 2],
  },
  {
    name: 'soft delete a subject twice: 40404',
    given: [register(v1), del('/subjects/{s}')],
    when: del('/subjects/{s}'),
    status: 404,
    body: errorCode(40404),
  },
  {
    name: 'permanently delete a subject not soft-deleted: 40405',
    given: [register(v1)],
    when: del('/subjects/{s}?permanent=true'),
    status: 404,
    body: errorCode(40405),
  },
  {
    name: 'permanently delete a soft-deleted subject',
    given: [register(v1), register(v2), del('/subjects/{s}')],
    when: del('/subjects/{s}?permanent=true'),
    status: 200,
    body: [1, 2],
  },
  {
    name: 'after a permanent delete the subject is unknown',
    given: [register(v1), del('/subjects/{s}'), del('/subjects/{s}?permanent=true')],
    when: get('/subjects/{s}/versions?deleted=true'),
    status: 404,
    body: errorCode(40401),
  },
  { name: 'delete an unknown subject: 40401', when: del('/subjects/{s}'), status: 404, body: errorCode(40401) },
  {
    name: 'a schema id outlives a soft-deleted subject',
    given: [register(v1), del('/subjects/{s}')],
    when: get('/schemas/ids/{id}'),
    status: 200,
    body: { schema: sameSchema(v1) },
  },
  {
    name: 're-registering after a soft delete makes a new version',
    given: [register(v1), register(v2), del('/subjects/{s}'), register(v1)],
    when: get('/subjects/{s}/versions'),
    status: 200,
    body: [3],
  },
  {
    name: 'soft delete a version',
    given: [register(v1), register(v2)],
    when: del('/subjects/{s}/versions/1'),
    status: 200,
    body: 1,
  },
  {
    name: 'soft delete the latest version',
    given: [register(v1), register(v2)],
    when: del('/subjects/{s}/versions/latest'),
    status: 200,
    body: 2,
  },
  {
    name: 'soft delete a version twice: 40406',
    given: [register(v1), register(v2), del('/subjects/{s}/versions/1')],
    when: del('/subjects/{s}/versions/1'),
    status: 404,
    body: errorCode(40406),
  },
  {
    name: 'permanently delete a version not soft-deleted: 40407',
    given: [register(v1)],
    when: del('/subjects/{s}/versions/1?permanent=true'),
    status: 404,
    body: errorCode(40407),
  },
  {
    name: 'permanently delete a soft-deleted version',
    given: [register(v1), register(v2), del('/subjects/{s}/versions/1')],
    when: del('/subjects/{s}/versions/1?permanent=true'),
    status: 200,
    body: 1,
  },
  {
    name: 'a permanently deleted version is gone even with deleted=true',
    given: [
      register(v1),
      register(v2),
      del('/subjects/{s}/versions/1'),
      del('/subjects/{s}/versions/1?permanent=true'),
    ],
    when: get('/subjects/{s}/versions?deleted=true'),
    status: 200,
    body: [2],
  },
  {
    name: 're-registering a soft-deleted version makes a new version',
    given: [register(v1), register(v2), del('/subjects/{s}/versions/1'), register(v1)],
    when: get('/subjects/{s}/versions'),
    status: 200,
    body: [2, 3],
  },
  {
    name: 'delete a version that does not exist: 40402',
    given: [register(v1)],
    when: del('/subjects/{s}/versions/9'),
    status: 404,
    body: errorCode(40402),
  },
  {
    name: 'delete a version of an unknown subject: 40401',
    when: del('/subjects/{s}/versions/1'),
    status: 404,
    body: errorCode(40401),
  },
  {
    name: 'delete version 0: 42202',
    given: [register(v1)],
    when: del('/subjects/{s}/versions/0'),
    status: 422,
    body: errorCode(42202),
  },

  // Compatibility checks
  {
    name: 'a compatible schema',
    given: [setLevel('BACKWARD'), register(v1)],
    when: post('/compatibility/subjects/{s}/versions/latest', v2),
    status: 200,
    body: { is_compatible: true },
  },
  {
    name: 'an incompatible schema',
    given: [setLevel('BACKWARD'), register(v1)],
    when: post('/compatibility/subjects/{s}/versions/latest', changedType),
    status: 200,
    body: { is_compatible: false },
  },
  {
    name: 'an incompatible schema, verbose',
    given: [setLevel('BACKWARD'), register(v1)],
    when: post('/compatibility/subjects/{s}/versions/1?verbose=true', changedType),
    status: 200,
    body: { is_compatible: false, messages: expect.arrayContaining([expect.any(String)]) },
    message: /field 'reason' changed type from string to int/,
  },
  {
    name: 'against every version',
    given: [setLevel('BACKWARD'), register(v1)],
    when: post('/compatibility/subjects/{s}/versions', changedType),
    status: 200,
    body: { is_compatible: false },
  },
  {
    name: 'against the latest of an unknown subject: compatible',
    when: post('/compatibility/subjects/{s}/versions/latest', v1),
    status: 200,
    body: { is_compatible: true },
  },
  {
    name: 'against a version that does not exist: 40402',
    given: [register(v1)],
    when: post('/compatibility/subjects/{s}/versions/9', v2),
    status: 404,
    body: errorCode(40402),
  },
  {
    name: 'against version "all": 42202',
    given: [register(v1)],
    when: post('/compatibility/subjects/{s}/versions/all', v2),
    status: 422,
    body: errorCode(42202),
  },
  {
    name: 'against version 0: 42202',
    given: [register(v1)],
    when: post('/compatibility/subjects/{s}/versions/0', v2),
    status: 422,
    body: errorCode(42202),
  },
  {
    name: 'an invalid schema: 42201',
    given: [register(v1)],
    when: post('/compatibility/subjects/{s}/versions/latest', '{"type":"nope"}'),
    status: 422,
    body: errorCode(42201),
  },

  // Compatibility levels
  {
    name: 'the global level',
    when: get('/config'),
    status: 200,
    body: { compatibilityLevel: expect.toBeOneOf([...compatibilityLevels]) },
  },
  {
    name: 'the global level on a fresh registry is BACKWARD',
    when: get('/config'),
    status: 200,
    body: { compatibilityLevel: 'BACKWARD' },
    embeddedOnly: true,
  },
  // Re-sets the level it read, so a shared registry is left as it was.
  {
    name: 'set the global level',
    given: [get('/config')],
    when: { method: 'PUT', path: '/config', body: { compatibility: '{level}' } },
    status: 200,
    body: (c: Context) => ({ compatibility: c.level }),
  },
  {
    name: 'an invalid global level: 42203',
    when: { method: 'PUT', path: '/config', body: { compatibility: 'SOMETIMES' } },
    status: 422,
    body: errorCode(42203),
  },
  { name: 'set a subject level', when: setLevel('FULL'), status: 200, body: { compatibility: 'FULL' } },
  {
    name: 'a level in lower case',
    when: setLevel('full_transitive'),
    status: 200,
    body: { compatibility: 'FULL_TRANSITIVE' },
  },
  {
    name: 'read a subject level',
    given: [setLevel('FORWARD')],
    when: get('/config/{s}'),
    status: 200,
    body: { compatibilityLevel: 'FORWARD' },
  },
  {
    name: 'a subject without its own level: 40408',
    given: [register(v1)],
    when: get('/config/{s}'),
    status: 404,
    body: errorCode(40408),
  },
  {
    name: 'a subject without its own level, defaultToGlobal',
    when: get('/config/{s}?defaultToGlobal=true'),
    status: 200,
    body: { compatibilityLevel: expect.toBeOneOf([...compatibilityLevels]) },
  },
  { name: 'an invalid subject level: 42203', when: setLevel('SOMETIMES'), status: 422, body: errorCode(42203) },
  {
    name: 'delete a subject level: the level removed',
    given: [setLevel('FULL')],
    when: del('/config/{s}'),
    status: 200,
    body: { compatibilityLevel: 'FULL' },
  },
  {
    name: 'delete a subject level that is not set: 40401',
    when: del('/config/{s}'),
    status: 404,
    body: errorCode(40401),
  },
];

function fill(template: string, c: Context): string {
  return template
    .replaceAll('{s}', c.s)
    .replaceAll('{s2}', c.s2)
    .replaceAll('{id}', String(c.id))
    .replaceAll('{level}', c.level);
}

async function send(baseUrl: string, request: RegistryRequest, c: Context): Promise<RegistryResponse> {
  return callRegistry(baseUrl, {
    ...request,
    path: fill(request.path, c),
    ...(request.body === undefined ? {} : { body: JSON.parse(fill(JSON.stringify(request.body), c)) as unknown }),
  });
}

describe('the Confluent Schema Registry API', () => {
  confluentDefaultsRegistryTest.for(rows)('$name', async (row, { adminRegistryUrl: registryUrl, skip }) => {
    if (row.embeddedOnly === true && externalRegistryUrl !== undefined) skip('describes the embedded registry only');
    // Subjects with dots and hyphens, as the project's record-name strategy makes them.
    const c: Context = {
      s: uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged'),
      s2: uniqueName('cel.raw-receipts-value'),
      id: 0,
      level: '',
    };
    for (const step of row.given ?? []) {
      const response = await send(registryUrl, step, c);
      expect(response.status, `given ${step.method} ${step.path}: ${JSON.stringify(response.body)}`).toBe(200);
      const body = response.body as { id?: unknown; compatibilityLevel?: unknown };
      if (typeof body.id === 'number') c.id = body.id;
      if (typeof body.compatibilityLevel === 'string') c.level = body.compatibilityLevel;
    }

    const response = await send(registryUrl, row.when, c);

    expect(response.status, JSON.stringify(response.body)).toBe(row.status);
    const expected = typeof row.body === 'function' ? (row.body as (c: Context) => unknown)(c) : row.body;
    if (typeof expected === 'object' && expected !== null && !('asymmetricMatch' in expected)) {
      expect(response.body).toMatchObject(expected);
    } else {
      expect(response.body).toEqual(expected);
    }
    if (row.message !== undefined && externalRegistryUrl === undefined) {
      const body = response.body as { message?: string; messages?: readonly string[] };
      expect(body.message ?? body.messages?.join('\n')).toMatch(row.message);
    }
  });
});

const asAdmin = (): Record<string, string> => ({ authorization: basicAuthorization('admin') });

describe('the embedded registry', () => {
  test.skipIf(externalRegistryUrl !== undefined)(
    'answers 50001 when PostgreSQL fails, never a bare 500',
    async ({ databaseUrl }) => {
      // A database that exists but was never migrated: every query fails in the store.
      const pool = createPool(databaseUrl, { max: 1 });
      const app = buildRegistryApp({ pool, logger: createLogger('silent'), auth: (await testRegistryAuth()).auth });
      try {
        const response = await app.inject({ method: 'GET', url: '/subjects', headers: asAdmin() });
        expect(response.statusCode).toBe(500);
        expect(response.json()).toEqual({ error_code: 50001, message: expect.stringMatching(/backend data store/) });
      } finally {
        await app.close();
        await pool.end();
      }
    },
  );

  test.skipIf(externalRegistryUrl !== undefined)(
    'every response carries the registry content type',
    async ({ databaseUrl }) => {
      await runMigrations(databaseUrl);
      const pool = createPool(databaseUrl, { max: 1 });
      const app = buildRegistryApp({ pool, logger: createLogger('silent'), auth: (await testRegistryAuth()).auth });
      try {
        for (const [url, headers] of [
          ['/subjects', asAdmin()],
          ['/schemas/ids/1', asAdmin()],
          ['/nowhere', asAdmin()],
          ['/subjects', {}],
        ] as const) {
          const response = await app.inject({ method: 'GET', url, headers });
          expect(response.headers['content-type']).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
        }
      } finally {
        await app.close();
        await pool.end();
      }
    },
  );
});
