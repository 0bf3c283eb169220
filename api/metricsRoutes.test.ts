/**
 * GET /metrics on an API built in-process: anonymous from loopback, the static scrape token
 * from anywhere, an operator token from anywhere; no token from another machine (or through a
 * proxy) is 401, another role 403; no access record per scrape. HTTP requests are counted by
 * route pattern, never by URL.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { parsePrometheusText, sampleValue } from '../test/support/parsePrometheusText.js';
import { type TestAuth, testAuth } from '../test/support/testAuth.js';
import { buildApi } from './buildApi.js';

const SCRAPE_TOKEN = 'scrape-token-0123456789abcdef0123456789abcdef';
const ELSEWHERE = '203.0.113.7';

let access: TestAuth;
let app: FastifyInstance;
let metrics: Metrics;

beforeAll(async () => {
  access = await testAuth();
  metrics = createMetrics({ defaultMetrics: false });
  app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool: { query: async () => ({ rows: [] }) } as unknown as Pool,
    ingest: {} as unknown as IngestService,
    checks: {},
    clock: () => new Date(),
    metrics: { metrics, scrapeToken: SCRAPE_TOKEN },
  });
});
afterAll(async () => {
  await app.close();
});

const get = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('GET /metrics', () => {
  test('anonymous from loopback: the text format', async () => {
    const response = await get({});
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parsePrometheusText(response.body).types.get('cel_ingest_messages_total')).toBe('counter');
  });

  test('without a token from another machine, or through a local proxy: 401', async () => {
    for (const response of [await get({}, ELSEWHERE), await get({ 'x-forwarded-for': ELSEWHERE })]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  test('the scrape token from anywhere; a wrong one is 401', async () => {
    expect((await get(bearer(SCRAPE_TOKEN), ELSEWHERE)).statusCode).toBe(200);
    expect((await get(bearer(`${SCRAPE_TOKEN}0`), ELSEWHERE)).statusCode).toBe(401);
    expect((await get(bearer(`${SCRAPE_TOKEN}0`))).statusCode).toBe(401);
  });

  test('an operator token from anywhere, without an access record; another role is 403', async () => {
    const before = access.recorded.length;
    const operator = await get(bearer(await access.tokens.token('operator')), ELSEWHERE);
    expect(operator.statusCode).toBe(200);
    parsePrometheusText(operator.body);
    expect(access.recorded.length).toBe(before);
    expect((await get(bearer(await access.tokens.token('gp')), ELSEWHERE)).statusCode).toBe(403);
  });

  test('HTTP requests by route pattern, never the URL; unknown paths as unmatched', async () => {
    await app.inject({ method: 'GET', url: '/patients/9991000216/gp-summary' });
    await app.inject({ method: 'GET', url: '/no/such/9991000216' });
    const text = parsePrometheusText((await get({})).body);
    expect(
      sampleValue(text, 'cel_http_requests_total', {
        method: 'GET',
        route: '/patients/:nhs/gp-summary',
        status: '401',
      }),
    ).toBe(1);
    expect(sampleValue(text, 'cel_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text.samples.some((s) => s.name === 'cel_http_request_duration_seconds_count')).toBe(true);
    expect(text.samples.flatMap((s) => Object.values(s.labels)).filter((v) => /\d{10}/.test(v))).toEqual([]);
  });
});
