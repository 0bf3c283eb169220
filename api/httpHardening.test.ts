/**
 * The HTTP surface's defences on an API built in-process (stub stores): security headers on
 * every answer, no-store on patient-data reads and errors, per-client rate limits counted
 * after the token is verified, the Host allow-list before authentication, and per-route body
 * limits. Also the Host allow-list's parsing, and a route's own CSP.
 */
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { type TestAuth, testAuth } from '../test/support/testAuth.js';
import { isHostAllowed, parseAllowedHosts, parseHost } from './allowedHosts.js';
import { buildApi } from './buildApi.js';
import { defaultHardening, type HttpHardening, registerHardening, SMALL_BODY_LIMIT } from './httpHardening.js';

const unreachable = (what: string) => () => {
  throw new Error(`the request reached ${what}`);
};

let access: TestAuth;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  access = await testAuth();
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

/** An API whose database answers no rows and whose ingest pipeline says the log is unavailable. */
async function api(hardening?: HttpHardening): Promise<FastifyInstance> {
  const app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool: { query: async () => ({ rows: [] }), connect: unreachable('a transaction') } as unknown as Pool,
    ingest: {
      ingest: async (message: { correlationId: string }) => ({
        kind: 'unavailable',
        correlationId: message.correlationId,
      }),
      redrive: unreachable('the pipeline'),
    } as unknown as IngestService,
    checks: {},
    clock: () => new Date(),
    ...(hardening === undefined ? {} : { hardening }),
  });
  apps.push(app);
  return app;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security headers and caching', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api();
  });

  const expectSecurityHeaders = (response: LightMyRequestResponse) => {
    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  };

  test('an anonymous answer carries them, and keeps the default caching', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expectSecurityHeaders(response);
    expect(response.headers['cache-control']).toBeUndefined();
  });

  test('a patient-data read is no-store', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/pharmacy/orders?status=active',
      headers: await access.headersFor('GET', '/pharmacy/orders'),
    });
    expect(response.statusCode).toBe(200);
    expectSecurityHeaders(response);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
  });

  test('an admin answer is no-store', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/admin/parked',
      headers: await access.headersFor('GET', '/admin/parked'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  test.each([
    { name: 'a refused token', url: '/pharmacy/orders', headers: {}, status: 401 },
    { name: 'an unknown route', url: '/nowhere', headers: {}, status: 404 },
    { name: 'a bad parameter on an anonymous route', url: '/health?verbose=1', headers: {}, status: 400 },
  ])('an error answer ($name) carries them and is no-store', async ({ url, headers, status }) => {
    const response = await app.inject({ method: 'GET', url, headers });
    expect(response.statusCode).toBe(status);
    expectSecurityHeaders(response);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
  });

  test('a route may set its own CSP (a page), the others keep the JSON one', async () => {
    const bare = Fastify();
    apps.push(bare);
    await registerHardening(bare, defaultHardening);
    bare.get(
      '/reference',
      { helmet: { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"] } } } },
      async () => 'page',
    );
    bare.get('/data', async () => ({}));
    const page = await bare.inject({ method: 'GET', url: '/reference' });
    expect(page.headers['content-security-policy']).toBe("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const data = await bare.inject({ method: 'GET', url: '/data' });
    expect(data.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('rate limits', () => {
  const LIMIT = 3;
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api({ rateLimit: LIMIT, rateLimitWindowSeconds: 60, allowedHosts: 'any' });
  });

  const orders = (headers: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/pharmacy/orders?status=active', headers });

  test('over the limit, 429 with Retry-After and the problem body; each verified caller has its own budget', async () => {
    const first = bearer(await access.tokens.token('pharmacist', { sub: 'pharmacist-a' }));
    // Another token of the same caller spends the same budget: the key is the caller, not the token.
    const firstAgain = bearer(await access.tokens.token('pharmacist', { sub: 'pharmacist-a', ttlSeconds: 1800 }));
    const second = bearer(await access.tokens.token('pharmacist', { sub: 'pharmacist-b' }));
    expect(firstAgain.authorization).not.toBe(first.authorization);

    const spent = [await orders(first), await orders(firstAgain), await orders(first)];
    expect(spent.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(spent.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);

    const refused = await orders(firstAgain);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.json()).toMatchObject({
      status: 429,
      code: 'CEL_ERR_RATE_LIMITED',
      correlationId: refused.headers['x-correlation-id'],
    });

    // Had the key been taken before the token was verified, both callers would share the test's address.
    expect((await orders(second)).statusCode).toBe(200);
  });

  test('/health has its own budget: a client that spent its budget still sees liveness', async () => {
    const caller = bearer(await access.tokens.token('operator', { sub: 'operator-health' }));
    for (let i = 0; i < LIMIT; i += 1)
      expect((await app.inject({ method: 'GET', url: '/admin/parked', headers: caller })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/admin/parked', headers: caller })).statusCode).toBe(429);
    expect((await app.inject({ method: 'GET', url: '/health', headers: caller })).statusCode).toBe(200);
  });

  test('without a token the key is the remote address', async () => {
    const from = (remoteAddress: string) => app.inject({ method: 'GET', url: '/openapi.json', remoteAddress });
    for (let i = 0; i < LIMIT; i += 1) expect((await from('192.0.2.10')).statusCode).toBe(200);
    expect((await from('192.0.2.10')).statusCode).toBe(429);
    expect((await from('192.0.2.11')).statusCode).toBe(200);
  });

  test('under /fhir the 429 is an OperationOutcome, throttled', async () => {
    const source = bearer(await access.tokens.token('integration', { sub: 'integration-fhir' }));
    const post = () =>
      app.inject({
        method: 'POST',
        url: '/fhir/Condition',
        headers: { ...source, 'content-type': 'application/fhir+json' },
        payload: '{}',
      });
    for (let i = 0; i < LIMIT; i += 1) expect((await post()).statusCode).not.toBe(429);
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.headers['content-type']).toContain('application/fhir+json');
    expect(refused.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'throttled', details: { coding: [{ code: 'CEL_ERR_RATE_LIMITED' }] } }],
    });
  });
});

describe('the Host allow-list', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api({ ...defaultHardening, allowedHosts: ['api.example.org', 'localhost:8080'] });
  });

  test.each(['evil.example', 'localhost:9090', 'api.example.org.evil.example', ''])(
    'Host %j is answered 421, before the token is asked for',
    async (host) => {
      const response = await app.inject({ method: 'GET', url: '/pharmacy/orders', headers: { host } });
      expect(response.statusCode).toBe(421);
      expect(response.json()).toMatchObject({ status: 421, code: 'CEL_ERR_MISDIRECTED' });
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.headers['content-security-policy']).toBeDefined();
      expect(response.headers['x-correlation-id']).toBeDefined();
    },
  );

  test.each(['api.example.org', 'API.Example.org:8443', 'api.example.org.', 'localhost:8080'])(
    'Host %j is answered',
    async (host) => {
      const response = await app.inject({ method: 'GET', url: '/health', headers: { host } });
      expect(response.statusCode).toBe(200);
    },
  );

  test('entries: names, ports, IPv6 literals; a malformed one is named', () => {
    expect(parseAllowedHosts(' API.example.org , localhost:8080,[::1]:8443,10.0.0.5')).toEqual({
      ok: true,
      value: ['api.example.org', 'localhost:8080', '[::1]:8443', '10.0.0.5'],
    });
    expect(parseAllowedHosts('ok.example,bad host,:80,x:99999,')).toEqual({
      ok: false,
      error: ['bad host', ':80', 'x:99999', ''],
    });
    const allowed = ['[::1]:8443', 'svc'].map((entry) => parseHost(entry)).filter((h) => h !== undefined);
    expect(isHostAllowed(allowed, '[::1]:8443')).toBe(true);
    expect(isHostAllowed(allowed, '[::1]:8444')).toBe(false);
    expect(isHostAllowed(allowed, 'svc:1234')).toBe(true);
    expect(isHostAllowed(allowed, undefined)).toBe(false);
  });
});

describe('body limits', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await api();
  });
  const over = JSON.stringify({ padding: 'x'.repeat(SMALL_BODY_LIMIT + 1) });

  test('a body over a small route’s limit is a 413 with the project’s code', async () => {
    const url = '/admin/parked/1/redrive';
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { ...(await access.headersFor('POST', url)), 'content-type': 'application/json' },
      payload: over,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'CEL_ERR_PAYLOAD_TOO_LARGE' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  test('an ingest route keeps the server’s limit, and a route with its own keeps that', async () => {
    const ingest = await app.inject({
      method: 'POST',
      url: '/events',
      headers: {
        ...(await access.headersFor('POST', '/events')),
        'content-type': 'application/json',
        'idempotency-key': 'hardening-1',
      },
      payload: over,
    });
    expect(ingest.statusCode).not.toBe(413);
    const anchor = await app.inject({
      method: 'POST',
      url: '/audit/anchor/verify',
      headers: { ...(await access.headersFor('POST', '/audit/anchor/verify')), 'content-type': 'application/json' },
      payload: over,
    });
    expect(anchor.statusCode).not.toBe(413);
  });
});
