/**
 * The API refuses a bad parameter, cursor, path id or header with a 4xx naming it before it
 * reads anything: here every store behind the routes throws, so a request that got past its
 * validation would be a 500. Named cases are the 500s the current main answered.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import type { LogSource } from '../replay/readWindow.js';
import { type TestAuth, testAuth } from '../test/support/testAuth.js';
import { buildApi } from './buildApi.js';

const unreachable = (what: string) => () => {
  throw new Error(`the request reached ${what}`);
};

let app: FastifyInstance;
let access: TestAuth;

beforeAll(async () => {
  access = await testAuth();
  app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool: { query: unreachable('the database'), connect: unreachable('the database') } as unknown as Pool,
    ingest: {
      ingest: unreachable('the pipeline'),
      redrive: unreachable('the pipeline'),
    } as unknown as IngestService,
    checks: {},
    clock: () => new Date(),
    replay: { kafka: { admin: unreachable('the broker') } } as unknown as LogSource,
  });
});
afterAll(() => app.close());

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type Problem = { code: string; location?: string; detail: string; correlationId: string };

async function refused(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method,
    url,
    headers: { ...(await access.headersFor(method, url)), ...headers },
  });
  return { status: response.statusCode, type: response.headers['content-type'], body: response.json<Problem>() };
}

describe('the 500s answered before', () => {
  test('an audit cursor whose offset is beyond a bigint is a bad cursor', async () => {
    const cursor = cursorOf({ p: 0, o: '9999999999999999999' });
    expect(await refused('GET', `/audit/events?patient=9434765919&cursor=${cursor}`)).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_CURSOR', location: '/cursor' },
    });
  });

  test('a timeline cursor with a day the calendar lacks is a bad cursor', async () => {
    const cursor = cursorOf({ t: '2026-02-31T00:00:00.000000Z', p: 0, o: '1' });
    expect(await refused('GET', `/audit/patients/9434765919/timeline?cursor=${cursor}`)).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_CURSOR', location: '/cursor' },
    });
  });

  test('a replay window before 1970 is a bad instant', async () => {
    expect(await refused('GET', '/replay/events?from=1969-12-01T00:00:00Z&to=1969-12-02T00:00:00Z')).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_INSTANT', location: '/from' },
    });
  });

  test.each(['rejected', 'parked'])('re-driving %s input 99999999999999999999 is a bad id', async (kind) => {
    expect(await refused('POST', `/admin/${kind}/99999999999999999999/redrive`)).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_REQUEST', location: '/id' },
    });
  });

  test.each(['1e400', 'Infinity', '0x10'])('an id written %s is refused, not read as a number', async (id) => {
    expect(await refused('GET', `/admin/dead-letters/${id}`)).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_REQUEST', location: '/id' },
    });
  });

  test("a path parameter beyond the router limit is a problem, not fastify's own body", async () => {
    expect(await refused('GET', `/audit/events/${'1'.repeat(2000)}`)).toMatchObject({
      status: 414,
      type: expect.stringContaining('application/problem+json'),
      body: { code: 'CEL_ERR_PATH_TOO_LONG' },
    });
  });

  test('an X-Correlation-Id longer than the limit is refused naming the header, not cut', async () => {
    const response = await refused('GET', '/health', { 'x-correlation-id': 'c'.repeat(6000) });
    expect(response).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_CORRELATION_ID', location: '/headers/x-correlation-id' },
    });
    expect(response.body.correlationId).not.toContain('ccc');
  });
});

describe('query parameters', () => {
  test.each([
    { name: 'an unknown parameter', url: '/pharmacy/orders?stauts=active', location: '/stauts' },
    { name: 'a repeated parameter', url: '/pharmacy/orders?limit=1&limit=2', location: '/limit' },
    { name: 'a page over the maximum', url: '/audit/patients/9434765919/timeline?limit=1001', location: '/limit' },
    { name: 'a negative page', url: '/care-plan/tasks?dueBefore=2026-01-01T00:00:00Z&limit=-1', location: '/limit' },
    { name: 'a fractional page', url: '/audit/events?patient=9434765919&limit=1.5', location: '/limit' },
    { name: 'an unknown status', url: '/pharmacy/orders?status=paused', location: '/status' },
    { name: 'a boolean that is not one', url: '/admin/parked?all=yes', location: '/all' },
    { name: 'an unknown parameter where none are taken', url: '/health?verbose=1', location: '/verbose' },
  ])('$name is a 400 naming it', async ({ url, location }) => {
    expect(await refused('GET', url)).toMatchObject({ status: 400, body: { code: 'CEL_ERR_BAD_REQUEST', location } });
  });

  test.each([
    { url: '/patients/9434765919/gp-summary?asOf=2026-02-31T00:00:00Z', location: '/asOf' },
    { url: '/patients/9434765919/gp-summary?asOf=0000-01-01T00:00:00Z', location: '/asOf' },
    { url: '/patients/9434765919/medications?asOf=2026-03-01T00:00:00', location: '/asOf' },
    { url: '/care-plan/tasks?dueBefore=1899-12-31T23:59:59Z', location: '/dueBefore' },
    { url: '/audit/events?from=0001-01-01T00:00:00%2B14:00&to=0001-01-02T00:00:00Z', location: '/from' },
  ])('instant $url is a bad instant', async ({ url, location }) => {
    expect(await refused('GET', url)).toMatchObject({ status: 400, body: { code: 'CEL_ERR_BAD_INSTANT', location } });
  });
});
