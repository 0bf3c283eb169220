/**
 * The generated OpenAPI document (/openapi.json) of the API built in-process with every
 * optional route: each operation has a unique camelCase operationId, a summary, known tags,
 * its error answers (problem+json, or an OperationOutcome under /fhir), and `security` as the
 * access policy says (bearer, or none when anonymous); every documented row is a served route.
 * And the reference page at /docs: anonymous, with a CSP of its own that loads only its assets.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ruleOf } from '../auth/accessPolicy.js';
import type { EventCodec } from '../platform/eventCodec.js';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import { fhirRoutes } from '../producers/fhir/fhirRoutes.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import type { LogSource } from '../replay/readWindow.js';
import { servedRoutes } from '../test/support/servedRoutes.js';
import { testAuth } from '../test/support/testAuth.js';
import { buildApi } from './buildApi.js';
import { JSON_CONTENT_SECURITY_POLICY } from './httpHardening.js';
import { apiTags, BEARER_SCHEME, routeDocs } from './openApiDocs.js';

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

let app: FastifyInstance;
let document: Document;

beforeAll(async () => {
  const access = await testAuth();
  const ingest = { ingest: async () => ({ kind: 'ignored' }) } as unknown as IngestService;
  app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool: { query: async () => ({ rows: [] }) } as unknown as Pool,
    ingest,
    checks: {},
    clock: () => new Date(),
    // Served only with these: given as stubs no request reaches.
    replay: {} as LogSource,
    eventCodec: {} as EventCodec,
    plugins: [async (scope) => scope.register(fhirRoutes, { ingest, clock: () => new Date() })],
  });
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  document = response.json() as Document;
});
afterAll(async () => {
  await app.close();
});

/** Every operation as `METHOD /fastify/:path`, the access-policy key. */
function operations(): readonly (readonly [string, Operation])[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, operation]) => [`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, operation] as const,
    ),
  );
}

/** The faults of one operation, named; empty when it is fully documented. */
function faultsOf(key: string, operation: Operation): readonly string[] {
  const faults: string[] = [];
  if (!/^[a-z][A-Za-z0-9]*$/.test(operation.operationId ?? '')) faults.push('operationId missing or not camelCase');
  if ((operation.summary ?? '').trim() === '') faults.push('summary missing');
  if ((operation.tags ?? []).length === 0) faults.push('tags missing');
  for (const tag of operation.tags ?? []) if (!Object.hasOwn(apiTags, tag)) faults.push(`unknown tag ${tag}`);
  const fhir = / \/fhir(\/|$)/.test(key);
  const errorType = fhir ? 'application/fhir+json' : 'application/problem+json';
  const errorRef = fhir ? '#/components/schemas/OperationOutcome' : '#/components/schemas/Problem';
  const errors = Object.entries(operation.responses ?? {}).filter(([status]) => /^[45]/.test(status));
  if (!errors.some(([, r]) => r.content?.[errorType]?.schema?.$ref === errorRef))
    faults.push(`no error response as ${errorType}`);
  const rule = ruleOf(key.split(' ')[0] ?? '', key.split(' ')[1] ?? '');
  const expected = rule?.access === 'token' ? [{ [BEARER_SCHEME]: [] }] : [];
  if (JSON.stringify(operation.security) !== JSON.stringify(expected)) faults.push('security is not the policy');
  if (rule?.access === 'token' && operation.responses?.['401'] === undefined) faults.push('no 401');
  return faults.map((fault) => `${key}: ${fault}`);
}

describe('the OpenAPI document', () => {
  test('every operation has a camelCase operationId, a summary, tags, an error response and its security', () => {
    expect(operations().length).toBeGreaterThan(25);
    expect(operations().flatMap(([key, operation]) => faultsOf(key, operation))).toEqual([]);
  });

  test('operationIds are unique', () => {
    const ids = operations().map(([, operation]) => operation.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('the check fails an operation that lacks any of them', () => {
    expect(faultsOf('GET /health', { security: [] })).toEqual([
      'GET /health: operationId missing or not camelCase',
      'GET /health: summary missing',
      'GET /health: tags missing',
      'GET /health: no error response as application/problem+json',
    ]);
    expect(faultsOf('POST /fhir', { operationId: 'X', summary: 's', tags: ['nope'], security: [] })).toHaveLength(5);
  });

  test('every served route but the hidden ones is documented, and every documented row is served', () => {
    const documented = operations().map(([key]) => key);
    // Hidden: the documents themselves, the development issuer's sign-in and the console's static shell.
    const hidden = ['/openapi.json', '/.well-known/', '/docs', '/metrics', '/dev-issuer/', '/console'];
    const served = servedRoutes(app).filter(
      (route) => !hidden.some((prefix) => route.split(' ')[1]?.startsWith(prefix)),
    );
    expect([...documented].sort()).toEqual([...served].sort());
    expect(Object.keys(routeDocs).sort()).toEqual([...documented].sort());
  });

  test('bearer JWT is the security scheme; Problem and OperationOutcome are components', () => {
    expect(document.components.securitySchemes[BEARER_SCHEME]).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'OperationOutcome']));
  });

  test('request schemas: path parameters, query parameters, and the ingest bodies', () => {
    const op = (method: string, path: string) => document.paths[path]?.[method] ?? {};
    expect(op('get', '/patients/{nhs}/gp-summary').parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'nhs' })]),
    );
    expect(op('get', '/fhir/metadata').parameters).toEqual([expect.objectContaining({ in: 'query', name: '_format' })]);
    expect(Object.keys(op('post', '/fhir/Condition').requestBody?.content ?? {})).toEqual([
      'application/fhir+json',
      'application/json',
    ]);
    expect(Object.keys(op('post', '/events').requestBody?.content ?? {})).toEqual(['application/json']);
  });
});

describe('the reference page at /docs', () => {
  test('is served without a token, under its own CSP, and shows /openapi.json', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.statusCode).toBe(200);
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.json()).toMatchObject({ paths: { '/fhir/metadata': {} } });
  });

  test('its assets are served without a token; the rest of the API keeps the JSON CSP', async () => {
    const css = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
    expect(css.statusCode).toBe(200);
    const other = await app.inject({ method: 'GET', url: '/health' });
    expect(other.headers['content-security-policy']).toBe(
      `default-src ${JSON_CONTENT_SECURITY_POLICY.directives.defaultSrc.join(' ')};frame-ancestors 'none'`,
    );
  });
});
