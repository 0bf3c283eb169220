/**
 * `GET /pharmacy/orders?since=…`: a cursor the API did not issue is a 400 that says why,
 * before anything is read; one it issued (either version) is read. The pool answers no rows
 * and records what it was asked.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { encodeCursor } from '../projections/pharmacy-view/feedCursor.js';
import type { LogSource } from '../replay/readWindow.js';
import { type TestAuth, testAuth } from '../test/support/testAuth.js';
import { buildApi } from './buildApi.js';

const unreachable = (what: string) => () => {
  throw new Error(`the request reached ${what}`);
};

const queries: unknown[][] = [];
let app: FastifyInstance;
let access: TestAuth;

beforeAll(async () => {
  const pool = {
    query: async (_sql: string, params: unknown[]) => {
      queries.push(params);
      return { rows: [] };
    },
    connect: unreachable('a transaction'),
  } as unknown as Pool;
  access = await testAuth();
  app = await buildApi({
    auth: access.auth,
    logger: createLogger('silent'),
    pool,
    ingest: { ingest: unreachable('the pipeline'), redrive: unreachable('the pipeline') } as unknown as IngestService,
    checks: {},
    clock: () => new Date(),
    replay: { kafka: { admin: unreachable('the broker') } } as unknown as LogSource,
  });
});
afterAll(() => app.close());

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the pharmacy feed cursor', () => {
  test.each([
    { name: 'an offset beyond a bigint', since: cursorOf({ v: 2, after: [[0, '9999999999999999999', 0]] }) },
    { name: 'a version 1 offset beyond a bigint', since: cursorOf({ '0': '9999999999999999999' }) },
    { name: 'an order id with NUL', since: cursorOf({ v: 2, after: [[0, '1', 0, '9991000216', 'A\u0000']] }) },
    { name: 'a version this API never issued', since: cursorOf({ v: 9, after: [] }) },
    { name: 'not base64url JSON', since: 'bm90IGpzb24' },
  ])('$name is a 400 with the reason, and nothing is read', async ({ since }) => {
    const before = queries.length;
    const response = await app.inject({
      method: 'GET',
      url: `/pharmacy/orders?status=active&since=${since}`,
      headers: await access.headersFor('GET', '/pharmacy/orders'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'CEL_ERR_BAD_CURSOR',
      location: '/since',
      detail: expect.stringMatching(/^since is not a cursor this API returned: \w/),
    });
    expect(queries.length).toBe(before);
  });

  test.each([
    {
      name: 'version 2',
      since: encodeCursor(new Map([[1, { offset: 7n, seq: 0, row: { nhsNumber: '9991000216', orderId: 'O1' } }]])),
    },
    { name: 'version 1', since: cursorOf({ '1': '7' }) },
  ])('a cursor of $name is read, and a version 2 cursor comes back', async ({ since }) => {
    const response = await app.inject({
      method: 'GET',
      url: `/pharmacy/orders?since=${since}&limit=10`,
      headers: await access.headersFor('GET', '/pharmacy/orders'),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ orders: unknown[]; cursor: string }>();
    expect(body.orders).toEqual([]);
    expect(JSON.parse(Buffer.from(body.cursor, 'base64url').toString('utf8'))).toMatchObject({ v: 2 });
    // Partition 1, offset 7, seq 0: where the reader stands.
    expect(queries.at(-1)?.slice(0, 3)).toEqual([[1], ['7'], [0]]);
  });
});
