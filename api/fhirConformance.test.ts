/**
 * FHIR conformance of the API built in-process (stub stores): `GET /fhir/metadata` is an
 * anonymous R4 CapabilityStatement naming exactly the FHIR routes the app serves, and every
 * error under /fhir (400, 401, 403, 404, 405, 406, 413, 415, 421, 429, 500) is an
 * OperationOutcome in application/fhir+json. Both are checked against the official R4 JSON schema.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import { RESTFUL_SECURITY_SERVICE } from '../producers/fhir/fhirCapability.js';
import { fhirRoutes } from '../producers/fhir/fhirRoutes.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { compileFhirR4Schema, fhirSchemaErrors } from '../test/support/fhirR4Schema.js';
import { servedRoutes } from '../test/support/servedRoutes.js';
import { type TestAuth, testAuth } from '../test/support/testAuth.js';
import { buildApi } from './buildApi.js';
import { defaultHardening, type HttpHardening } from './httpHardening.js';

let access: TestAuth;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  access = await testAuth();
});
// The official schema is 3 MB: compiled once, before the tests, with time for it.
beforeAll(() => compileFhirR4Schema(['CapabilityStatement', 'OperationOutcome']), 60_000);
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

type Ingest = (message: { correlationId: string }) => Promise<unknown>;
const unavailable: Ingest = async (message) => ({ kind: 'unavailable', correlationId: message.correlationId });

/** The API with the FHIR routes, whose pipeline answers as `ingest` does. */
async function api(options: { hardening?: HttpHardening; ingest?: Ingest; issuer?: string } = {}) {
  const ingest = { ingest: options.ingest ?? unavailable } as unknown as IngestService;
  const app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool: { query: async () => ({ rows: [] }) } as unknown as Pool,
    ingest,
    checks: {},
    clock: () => new Date('2026-12-01T09:00:00Z'),
    hardening: options.hardening ?? defaultHardening,
    plugins: [async (scope) => scope.register(fhirRoutes, { ingest, clock: () => new Date(), issuer: options.issuer })],
  });
  apps.push(app);
  return app;
}

const integration = async () => ({ authorization: `Bearer ${await access.tokens.token('integration')}` });
const fhirJson = { 'content-type': 'application/fhir+json' };

const servedFhirRoutes = (app: FastifyInstance) => servedRoutes(app).filter((route) => / \/fhir(\/|$)/.test(route));

type Statement = {
  resourceType: string;
  status: string;
  date: string;
  kind: string;
  fhirVersion: string;
  format: string[];
  software: { name: string; version: string };
  implementation: { url: string };
  rest: {
    mode: string;
    documentation: string;
    security: { service: { coding: { system: string; code: string }[] }[]; description: string };
    resource: { type: string; interaction: { code: string }[]; conditionalCreate: boolean; updateCreate: boolean }[];
    interaction: { code: string }[];
  }[];
};

/** The routes a CapabilityStatement says exist: creates, system interactions, the notify endpoint it documents, metadata. */
function statedFhirRoutes(statement: Statement): readonly string[] {
  const rest = statement.rest[0];
  if (rest === undefined) return [];
  const routes = ['GET /fhir/metadata'];
  for (const resource of rest.resource) {
    for (const { code } of resource.interaction) {
      if (code !== 'create') throw new Error(`interaction ${code} on ${resource.type} has no route mapping here`);
      routes.push(`POST /fhir/${resource.type}`);
    }
  }
  if (rest.interaction.some(({ code }) => code === 'transaction' || code === 'batch')) routes.push('POST /fhir');
  for (const match of rest.documentation.matchAll(/POST \[base\](\/\w+)/g)) routes.push(`POST /fhir${match[1]}`);
  return [...new Set(routes)].sort();
}

const expectOperationOutcome = (response: LightMyRequestResponse, status: number, code: string) => {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/fhir+json');
  const body = response.json();
  expect(body).toMatchObject({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', details: { coding: [{ code }] } }],
  });
  expect(fhirSchemaErrors('OperationOutcome', body)).toEqual([]);
  return body as { issue: { code: string; diagnostics: string }[] };
};

describe('GET /fhir/metadata', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api();
  });

  test('is an anonymous R4 CapabilityStatement in application/fhir+json that passes the official schema', async () => {
    const response = await app.inject({ method: 'GET', url: '/fhir/metadata', headers: { host: 'fhir.example:8443' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/fhir+json');
    const statement = response.json() as Statement;
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
      software: { name: 'clinical-event-log', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      implementation: { url: 'http://fhir.example:8443/fhir' },
    });
    expect(Number.isNaN(Date.parse(statement.date))).toBe(false);
    expect(fhirSchemaErrors('CapabilityStatement', statement)).toEqual([]);
  });

  test('the schema check can fail: a statement with an unknown element or a bad code is refused', async () => {
    const statement = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as Statement;
    expect(fhirSchemaErrors('CapabilityStatement', { ...statement, kind: 'server' })).not.toEqual([]);
    expect(fhirSchemaErrors('CapabilityStatement', { ...statement, interactions: [] })).not.toEqual([]);
  });

  test('names exactly the FHIR routes the app serves, and no other', async () => {
    const statement = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as Statement;
    expect(statedFhirRoutes(statement)).toEqual(servedFhirRoutes(app));
    expect(servedFhirRoutes(app)).toEqual([
      'GET /fhir/metadata',
      'POST /fhir',
      'POST /fhir/Condition',
      'POST /fhir/Encounter',
      'POST /fhir/MedicationRequest',
      'POST /fhir/notify',
    ]);
    const rest = statement.rest[0];
    expect(rest?.mode).toBe('server');
    expect(rest?.resource.map((r) => r.type).sort()).toEqual(['Condition', 'Encounter', 'MedicationRequest']);
    for (const resource of rest?.resource ?? []) {
      expect(resource.interaction).toEqual([{ code: 'create' }]);
      expect(resource.conditionalCreate).toBe(false);
      expect(resource.updateCreate).toBe(false);
    }
    expect(rest?.interaction.map((i) => i.code).sort()).toEqual(['batch', 'transaction']);
    expect(rest?.documentation).toContain('POST [base]/notify with a Bundle of type history');
  });

  test('security is SMART on FHIR and names the development issuer when none is configured', async () => {
    const statement = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as Statement;
    const security = statement.rest[0]?.security;
    expect(security?.service).toEqual([{ coding: [{ system: RESTFUL_SECURITY_SERVICE, code: 'SMART-on-FHIR' }] }]);
    expect(security?.description).toContain('urn:clinical-event-log:development-issuer');
    expect(security?.description).toContain('/.well-known/openid-configuration');
  });

  test('names the configured issuer', async () => {
    const configured = await api({ issuer: 'https://login.example.org/realms/nhs' });
    const statement = (await configured.inject({ method: 'GET', url: '/fhir/metadata' })).json() as Statement;
    expect(statement.rest[0]?.security.description).toContain(
      'https://login.example.org/realms/nhs/.well-known/openid-configuration',
    );
    expect(statement.rest[0]?.security.description).not.toContain('development issuer');
  });

  test('honours _format=json, and answers 406 as an OperationOutcome for a format it does not serve', async () => {
    const json = await app.inject({ method: 'GET', url: '/fhir/metadata?_format=json' });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toContain('application/fhir+json');
    expect(json.json()).toMatchObject({ resourceType: 'CapabilityStatement' });
    expect(
      (await app.inject({ method: 'GET', url: '/fhir/metadata?_format=application/fhir%2Bjson' })).statusCode,
    ).toBe(200);
    const xml = await app.inject({ method: 'GET', url: '/fhir/metadata?_format=xml' });
    expectOperationOutcome(xml, 406, 'CEL_ERR_NOT_ACCEPTABLE');
  });
});

describe('every error under /fhir is an OperationOutcome', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api({
      ingest: async () => {
        throw new Error('the pipeline broke');
      },
    });
  });

  test('404: an unknown /fhir path', async () => {
    const response = await app.inject({ method: 'GET', url: '/fhir/Patient/123' });
    const body = expectOperationOutcome(response, 404, 'CEL_ERR_NOT_FOUND');
    expect(body.issue[0]?.code).toBe('not-found');
  });

  test('outside /fhir an unknown path stays problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/fhirx' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  test('405 with Allow: a known FHIR path asked with a method it does not take', async () => {
    const get = await app.inject({ method: 'GET', url: '/fhir/Condition' });
    expectOperationOutcome(get, 405, 'CEL_ERR_METHOD_NOT_ALLOWED');
    expect(get.headers.allow).toBe('POST');
    const post = await app.inject({ method: 'POST', url: '/fhir/metadata', headers: fhirJson, payload: '{}' });
    expectOperationOutcome(post, 405, 'CEL_ERR_METHOD_NOT_ALLOWED');
    expect(post.headers.allow).toBe('GET, HEAD');
    const put = await app.inject({ method: 'PUT', url: '/fhir', headers: fhirJson, payload: '{}' });
    expect(put.headers.allow).toBe('POST');
    expectOperationOutcome(put, 405, 'CEL_ERR_METHOD_NOT_ALLOWED');
  });

  test('401: no token; 403: a token whose role may not submit', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/fhir/Condition', headers: fhirJson, payload: '{}' });
    expectOperationOutcome(anonymous, 401, 'CEL_ERR_UNAUTHENTICATED');
    const gp = await app.inject({
      method: 'POST',
      url: '/fhir/Condition',
      headers: { ...fhirJson, authorization: `Bearer ${await access.tokens.token('gp')}` },
      payload: '{}',
    });
    expectOperationOutcome(gp, 403, 'CEL_ERR_FORBIDDEN');
  });

  test('400: an unusable correlation id', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/fhir/Condition',
      headers: { ...fhirJson, ...(await integration()), 'x-correlation-id': 'not a usable id \u0001' },
      payload: '{}',
    });
    expectOperationOutcome(response, 400, 'CEL_ERR_BAD_CORRELATION_ID');
  });

  test('413: a body over the ingest limit', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/fhir',
      headers: { ...fhirJson, ...(await integration()) },
      payload: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20),
    });
    const body = expectOperationOutcome(response, 413, 'CEL_ERR_PAYLOAD_TOO_LARGE');
    expect(body.issue[0]?.code).toBe('too-long');
  });

  test('415: a media type the FHIR routes do not read', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/fhir/Encounter',
      headers: { 'content-type': 'application/xml', ...(await integration()) },
      payload: '<Encounter/>',
    });
    const body = expectOperationOutcome(response, 415, 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(body.issue[0]?.code).toBe('not-supported');
  });

  test('500: a failure inside the route, without its message', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/fhir/Condition',
      headers: { ...fhirJson, ...(await integration()) },
      payload: '{}',
    });
    const body = expectOperationOutcome(response, 500, 'CEL_ERR_INTERNAL');
    expect(body.issue[0]?.code).toBe('exception');
    expect(JSON.stringify(body)).not.toContain('pipeline broke');
  });

  test('421: a Host the server does not answer for', async () => {
    const strict = await api({ hardening: { ...defaultHardening, allowedHosts: ['api.example'] } });
    const response = await strict.inject({ method: 'GET', url: '/fhir/metadata', headers: { host: 'other.example' } });
    expectOperationOutcome(response, 421, 'CEL_ERR_MISDIRECTED');
  });

  test('429: over the rate limit, with Retry-After', async () => {
    const limited = await api({ hardening: { ...defaultHardening, rateLimit: 1 } });
    expect((await limited.inject({ method: 'GET', url: '/fhir/metadata' })).statusCode).toBe(200);
    const response = await limited.inject({ method: 'GET', url: '/fhir/metadata' });
    const body = expectOperationOutcome(response, 429, 'CEL_ERR_RATE_LIMITED');
    expect(body.issue[0]?.code).toBe('throttled');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });
});
