/**
 * The HTTP query matrix: every route the OpenAPI document lists, each of its parameters, path
 * ids, cursors and headers at their edges (out of range, non-integer, huge, forged cursors,
 * impossible or out-of-window instants, bad NHS numbers and uuids, unknown enum values,
 * repeated, unknown and over-long parameters), against the real service. Each answers a 4xx
 * with a problem body (an OperationOutcome or problem+json under /fhir) naming the parameter;
 * never a 5xx. The table must cover every route: a new route without rows fails here.
 */
import { describe, expect } from 'vitest';
import type { ApiClient, ApiRequest } from '../support/apiClient.js';
import { serviceTest as test } from '../support/serviceUnderTest.js';

type Case = {
  /** `METHOD /openapi/path`, as the OpenAPI document lists the route. */
  readonly route: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** The parameter the answer must name, in `location` or `detail`. */
  readonly names: string;
  readonly status?: number;
  readonly request?: ApiRequest;
};

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const NHS = '9434765919';
const BAD_NHS = ['9434765918', '943476591', '94347659190', 'abcdefghij', '%20%20%20%20%20%20%20%20%20%20'];

/** Page sizes: below 1, above the maximum, not integers, huge, repeated, empty. */
const pageEdges = (name: string, max: number) => [
  `${name}=0`,
  `${name}=1e400`,
  `${name}=0x10`,
  `${name}=-1`,
  `${name}=${max + 1}`,
  `${name}=1.5`,
  `${name}=abc`,
  `${name}=99999999999999999999`,
  `${name}=1&${name}=2`,
  `${name}=`,
];

/** Instants that are not real, out of the window, without a zone, of year 10000, or over-long. */
const instantEdges = (name: string) => [
  `${name}=2026-02-31T00:00:00Z`,
  `${name}=2026-02-28T24:00:00Z`,
  `${name}=1899-12-31T23:59:59Z`,
  `${name}=0000-01-01T00:00:00Z`,
  `${name}=10000-01-01T00:00:00Z`,
  `${name}=2026-03-01T00:00:00`,
  `${name}=yesterday`,
  `${name}=${'2'.repeat(60)}`,
  `${name}=2026-03-01T00:00:00Z&${name}=2026-03-02T00:00:00Z`,
];

/** Forged cursors: not base64url, base64url of other shapes, out-of-range values, over-long. */
const positionCursorEdges = (name: string) => [
  `${name}=not!a!cursor`,
  `${name}=${b64('not json')}`,
  `${name}=${b64([])}`,
  `${name}=${b64(null)}`,
  `${name}=${b64({ p: -1, o: '1' })}`,
  `${name}=${b64({ p: 0, o: '9999999999999999999' })}`,
  `${name}=${b64({ p: 0, o: '-5' })}`,
  `${name}=${b64({ p: 2 ** 31, o: '1' })}`,
  `${name}=${'A'.repeat(5000)}`,
  `${name}=a&${name}=b`,
];

const timelineCursorEdges = (name: string) => [
  ...positionCursorEdges(name),
  `${name}=${b64({ t: '2026-02-31T00:00:00.000000Z', p: 0, o: '1' })}`,
  `${name}=${b64({ t: '0000-01-01T00:00:00.000000Z', p: 0, o: '1' })}`,
  `${name}=${b64({ t: 'yesterday', p: 0, o: '1' })}`,
];

const idEdges = ['0', '-1', '1.5', 'abc', '99999999999999999999', '9007199254740992', '1e400', '0x10', 'Infinity'];

const query = (route: string, base: string, fragments: readonly string[], names: string): Case[] =>
  fragments.map((fragment) => ({
    route,
    method: route.startsWith('POST') ? 'POST' : 'GET',
    url: `${base}${base.includes('?') ? '&' : '?'}${fragment}`,
    names,
  }));

const paths = (route: string, urls: readonly string[], names: string): Case[] =>
  urls.map((url) => ({ route, method: route.startsWith('POST') ? 'POST' : 'GET', url, names }));

const unknownParameter = (route: string, base: string) => query(route, base, ['bogus=1', 'Limit=1'], 'bogus|Limit');

const patientRoutes = ['gp-summary', 'medications', 'care-plan'].flatMap((view) => {
  const route = `GET /patients/{nhs}/${view}`;
  return [
    ...paths(
      route,
      BAD_NHS.map((nhs) => `/patients/${nhs}/${view}`),
      'nhs',
    ),
    ...query(route, `/patients/${NHS}/${view}`, instantEdges('asOf'), 'asOf'),
    ...unknownParameter(route, `/patients/${NHS}/${view}`),
  ];
});

const DUE = '/care-plan/tasks?dueBefore=2026-03-01T00:00:00Z';
const AUDIT = `/audit/events?patient=${NHS}`;
const ACCESS = `/audit/access?patient=${NHS}`;
const REPLAY = '/replay/events?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z';
const anchorVerify = (body: string): ApiRequest => ({ raw: body, headers: { 'content-type': 'application/json' } });
const validAnchorShape = {
  format: 'cel-audit-anchor/1',
  takenAt: '2026-03-01T00:00:00Z',
  root: '0'.repeat(64),
  position: { 'some.topic': { '0': '99999999999999999999' } },
};
const jsonEvent = { type: 'PatientDischarged', nhsNumber: NHS, occurredAt: '2026-03-04T16:45:00Z', data: {} };

const cases: readonly Case[] = [
  ...unknownParameter('GET /health', '/health'),
  ...patientRoutes,

  ...query('GET /pharmacy/orders', '/pharmacy/orders', pageEdges('limit', 1000), 'limit'),
  ...query(
    'GET /pharmacy/orders',
    '/pharmacy/orders',
    ['status=paused', 'status=ACTIVE', 'status=active&status=cancelled'],
    'status',
  ),
  ...query(
    'GET /pharmacy/orders',
    '/pharmacy/orders',
    ['since=not!a!cursor', `since=${b64([])}`, `since=${b64('x')}`, `since=${'A'.repeat(5000)}`, 'since=a&since=b'],
    'since',
  ),
  ...unknownParameter('GET /pharmacy/orders', '/pharmacy/orders'),

  ...paths('GET /care-plan/tasks', ['/care-plan/tasks'], 'dueBefore'),
  ...query('GET /care-plan/tasks', '/care-plan/tasks', instantEdges('dueBefore'), 'dueBefore'),
  ...query('GET /care-plan/tasks', DUE, pageEdges('limit', 1000), 'limit'),
  ...query('GET /care-plan/tasks', DUE, ['status=done', 'status=open&status=closed'], 'status'),
  ...unknownParameter('GET /care-plan/tasks', DUE),

  ...query(
    'GET /audit/events',
    '/audit/events',
    BAD_NHS.map((n) => `patient=${n}`),
    'patient',
  ),
  ...query('GET /audit/events', '/audit/events', ['patient=1'.padEnd(40, '1')], 'patient'),
  ...query('GET /audit/events', AUDIT, ['type=Nonsense', 'type=PatientDischarged&type=DiagnosisRecorded'], 'type'),
  ...query('GET /audit/events', AUDIT, instantEdges('from'), 'from'),
  ...query('GET /audit/events', AUDIT, instantEdges('to'), 'to'),
  ...query('GET /audit/events', '/audit/events', ['from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z'], 'to'),
  ...query('GET /audit/events', '/audit/events', ['from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'], 'to'),
  ...query('GET /audit/events', '/audit/events', ['type=PatientDischarged', ''], 'patient'),
  ...query(
    'GET /audit/events',
    '/audit/events',
    ['correlationId=', `correlationId=${'c'.repeat(201)}`],
    'correlationId',
  ),
  ...query(
    'GET /audit/events',
    '/audit/events',
    ['sourceMessageId=', `sourceMessageId=${'m'.repeat(201)}`],
    'sourceMessageId',
  ),
  ...query('GET /audit/events', AUDIT, positionCursorEdges('cursor'), 'cursor'),
  ...query('GET /audit/events', AUDIT, pageEdges('limit', 1000), 'limit'),
  ...unknownParameter('GET /audit/events', AUDIT),

  ...query(
    'GET /audit/access',
    '/audit/access',
    [...BAD_NHS.map((n) => `patient=${n}`), 'patient='.padEnd(40, '1')],
    'patient',
  ),
  ...query('GET /audit/access', '/audit/access', ['', 'from=2026-03-01T00:00:00Z'], 'patient'),
  ...query('GET /audit/access', '/audit/access', ['actor=', `actor=${'a'.repeat(201)}`], 'actor'),
  ...query('GET /audit/access', ACCESS, instantEdges('from'), 'from'),
  ...query('GET /audit/access', ACCESS, instantEdges('to'), 'to'),
  ...query('GET /audit/access', ACCESS, ['from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z'], 'to'),
  ...query('GET /audit/access', ACCESS, positionCursorEdges('cursor'), 'cursor'),
  ...query('GET /audit/access', ACCESS, pageEdges('limit', 1000), 'limit'),
  ...unknownParameter('GET /audit/access', ACCESS),

  ...paths(
    'GET /audit/events/{eventId}',
    [
      '/audit/events/not-a-uuid',
      '/audit/events/123e4567-e89b-12d3-a456-42661417400',
      `/audit/events/${'g'.repeat(36)}`,
      `/audit/events/${'1'.repeat(500)}`,
    ],
    'eventId',
  ),
  {
    route: 'GET /audit/events/{eventId}',
    method: 'GET',
    url: `/audit/events/${'1'.repeat(2000)}`,
    names: 'path parameter',
    status: 414,
  },
  ...unknownParameter('GET /audit/events/{eventId}', '/audit/events/123e4567-e89b-12d3-a456-426614174000'),

  ...paths(
    'GET /audit/patients/{nhs}/timeline',
    BAD_NHS.map((n) => `/audit/patients/${n}/timeline`),
    'nhs',
  ),
  ...query(
    'GET /audit/patients/{nhs}/timeline',
    `/audit/patients/${NHS}/timeline`,
    timelineCursorEdges('cursor'),
    'cursor',
  ),
  ...query('GET /audit/patients/{nhs}/timeline', `/audit/patients/${NHS}/timeline`, pageEdges('limit', 1000), 'limit'),
  ...unknownParameter('GET /audit/patients/{nhs}/timeline', `/audit/patients/${NHS}/timeline`),

  ...paths(
    'GET /audit/patients/{nhs}/verify',
    BAD_NHS.map((n) => `/audit/patients/${n}/verify`),
    'nhs',
  ),
  ...unknownParameter('GET /audit/patients/{nhs}/verify', `/audit/patients/${NHS}/verify`),

  ...query('GET /audit/anchor', '/audit/anchor', ['heads=yes', 'heads=2', 'heads=true&heads=false'], 'heads'),
  ...unknownParameter('GET /audit/anchor', '/audit/anchor'),

  ...[
    { body: 'not json', names: 'body|JSON' },
    { body: '[]', names: 'body' },
    { body: '{"format":"other"}', names: 'format' },
    { body: JSON.stringify(validAnchorShape), names: 'position' },
  ].map(
    ({ body, names }): Case => ({
      route: 'POST /audit/anchor/verify',
      method: 'POST',
      url: '/audit/anchor/verify',
      names,
      request: anchorVerify(body),
    }),
  ),
  ...unknownParameter('POST /audit/anchor/verify', '/audit/anchor/verify').map((c) => ({
    ...c,
    request: anchorVerify(JSON.stringify(validAnchorShape)),
  })),

  ...['parked', 'rejected'].flatMap((kind) => [
    ...query(`GET /admin/${kind}`, `/admin/${kind}`, ['all=yes', 'all=2', 'all=true&all=false'], 'all'),
    ...unknownParameter(`GET /admin/${kind}`, `/admin/${kind}`),
    ...paths(
      'POST /admin/{kind}/{id}/redrive',
      idEdges.map((id) => `/admin/${kind}/${id}/redrive`),
      'id',
    ),
  ]),
  ...paths('POST /admin/{kind}/{id}/redrive', ['/admin/held/1/redrive', '/admin/PARKED/1/redrive'], 'kind'),
  ...unknownParameter('POST /admin/{kind}/{id}/redrive', '/admin/parked/1/redrive'),

  ...query(
    'GET /admin/dead-letters',
    '/admin/dead-letters',
    ['view=nonsense', 'view=gp-view&view=audit-index'],
    'view',
  ),
  ...query('GET /admin/dead-letters', '/admin/dead-letters', ['status=gone', 'status=dead&status=all'], 'status'),
  ...query(
    'GET /admin/dead-letters',
    '/admin/dead-letters',
    ['after=-1', 'after=1.5', 'after=abc', 'after=99999999999999999999', 'after=1e400', 'after=1&after=2'],
    'after',
  ),
  ...query('GET /admin/dead-letters', '/admin/dead-letters', pageEdges('limit', 1000), 'limit'),
  ...unknownParameter('GET /admin/dead-letters', '/admin/dead-letters'),
  ...paths(
    'GET /admin/dead-letters/{id}',
    idEdges.map((id) => `/admin/dead-letters/${id}`),
    'id',
  ),
  ...unknownParameter('GET /admin/dead-letters/{id}', '/admin/dead-letters/1'),
  ...paths(
    'POST /admin/dead-letters/{id}/redrive',
    idEdges.map((id) => `/admin/dead-letters/${id}/redrive`),
    'id',
  ),
  ...unknownParameter('POST /admin/dead-letters/{id}/redrive', '/admin/dead-letters/1/redrive'),

  ...paths('GET /replay/events', ['/replay/events'], 'from'),
  ...paths('GET /replay/events', ['/replay/events?from=2026-03-01T00:00:00Z'], 'to'),
  ...query(
    'GET /replay/events',
    '/replay/events?to=2026-03-02T00:00:00Z',
    [
      ...instantEdges('from').filter((f) => !f.includes('1899')),
      'from=1969-12-31T00:00:00Z',
      'from=1900-01-01T00:00:00Z',
    ],
    'from',
  ),
  ...query(
    'GET /replay/events',
    '/replay/events?from=2026-03-01T00:00:00Z',
    ['to=2026-02-01T00:00:00Z', 'to=2026-05-01T00:00:00Z', 'to=2026-02-31T00:00:00Z'],
    'to',
  ),
  ...query(
    'GET /replay/events',
    REPLAY,
    ['kinds=Nonsense', 'kinds=,', `kinds=${'K'.repeat(1001)}`, 'kinds=a&kinds=b'],
    'kinds',
  ),
  ...query('GET /replay/events', REPLAY, ['time=wall', `time=${'t'.repeat(21)}`, 'time=record&time=clinical'], 'time'),
  ...unknownParameter('GET /replay/events', REPLAY),

  {
    route: 'POST /events',
    method: 'POST',
    url: '/events',
    names: 'idempotency-key',
    request: { json: jsonEvent, headers: { 'idempotency-key': 'k'.repeat(201) } },
  },
  ...unknownParameter('POST /events', '/events').map((c) => ({
    ...c,
    request: { json: jsonEvent, headers: { 'idempotency-key': 'matrix-unknown-parameter' } },
  })),

  // A client correlation id longer than the limit, with a space or a non-ASCII character: refused, never cut.
  ...['GET /health', 'GET /audit/anchor', 'POST /events', 'POST /fhir/Condition'].flatMap((route) =>
    [`${'x'.repeat(201)}`, 'two words', 'caf\u00e9'].map(
      (id): Case => ({
        route,
        method: route.startsWith('POST') ? 'POST' : 'GET',
        url: route.split(' ')[1] ?? '',
        names: 'x-correlation-id',
        request: route.startsWith('POST')
          ? { json: {}, headers: { 'x-correlation-id': id } }
          : { headers: { 'x-correlation-id': id } },
      }),
    ),
  ),
];

/** Routes whose only parameter is the body or a header, covered above by the correlation id or below by FHIR. */
const FHIR_ROUTES = [
  'POST /fhir/Encounter',
  'POST /fhir/Condition',
  'POST /fhir/MedicationRequest',
  'POST /fhir',
  'POST /fhir/notify',
];

const fhirCases: readonly Case[] = [
  ...FHIR_ROUTES.flatMap((route) =>
    [`${'x'.repeat(201)}`, 'two words'].map(
      (id): Case => ({
        route,
        method: 'POST',
        url: route.split(' ')[1] ?? '',
        names: 'x-correlation-id',
        request: { raw: '{}', headers: { 'content-type': 'application/fhir+json', 'x-correlation-id': id } },
      }),
    ),
  ),
  // The CapabilityStatement: a format other than JSON is 406 naming _format; a bad correlation id is 400.
  ...['xml', 'application/fhir+xml', 'json&_format=xml'].map(
    (format): Case => ({
      route: 'GET /fhir/metadata',
      method: 'GET',
      url: `/fhir/metadata?_format=${format}`,
      names: '_format',
      status: 406,
    }),
  ),
  {
    route: 'GET /fhir/metadata',
    method: 'GET',
    url: '/fhir/metadata',
    names: 'x-correlation-id',
    request: { headers: { 'x-correlation-id': 'two words' } },
  },
];

type Answer = { code?: string; location?: string; detail?: string; resourceType?: string; issue?: unknown[] };

async function answer(api: ApiClient, c: Case) {
  const response = await api.request(c.method, c.url, c.request ?? {});
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (response.body ?? {}) as Answer,
  };
}

/** Whether the answer names the parameter: a JSON pointer ending in it, or the detail mentioning it. */
function namesParameter(body: Answer, names: string): boolean {
  const text = `${body.location ?? ''} ${body.detail ?? ''} ${JSON.stringify(body.issue ?? [])}`.toLowerCase();
  return names.split('|').some((n) => text.includes(n.toLowerCase()));
}

describe('the HTTP query matrix', () => {
  test('every route and parameter at its edges answers a 4xx naming it, never a 5xx', async ({ service }) => {
    const api = service.api;
    const openapi = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const listed = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => m === 'get' || m === 'post')
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const all = [...cases, ...fhirCases];
    const covered = new Set(all.map((c) => c.route));
    expect(listed.filter((route) => !covered.has(route)).sort(), 'routes without rows in the matrix').toEqual([]);
    expect([...covered].filter((route) => !listed.includes(route)).sort(), 'rows for routes not listed').toEqual([]);

    const wrong: string[] = [];
    for (const c of all) {
      const got = await answer(api, c);
      const isFhir = c.url.startsWith('/fhir');
      const problemType = got.type.includes('application/problem+json') || (isFhir && got.type.includes('fhir+json'));
      const ok =
        got.status === (c.status ?? 400) &&
        problemType &&
        (got.body.code?.startsWith('CEL_ERR_') === true || got.body.resourceType === 'OperationOutcome') &&
        namesParameter(got.body, c.names);
      if (!ok)
        wrong.push(
          `${c.method} ${c.url.slice(0, 120)} → ${got.status} ${got.type} ${JSON.stringify(got.body).slice(0, 200)}`,
        );
    }
    expect(wrong, `${wrong.length} of ${all.length} requests`).toEqual([]);
  });

  test('ids and numbers at the valid edge are read, not refused: 404 or 200, never a 5xx', async ({ service }) => {
    const api = service.api;
    const edge = [
      { method: 'GET', url: `/admin/dead-letters/${Number.MAX_SAFE_INTEGER}`, status: 404 },
      { method: 'POST', url: `/admin/dead-letters/${Number.MAX_SAFE_INTEGER}/redrive`, status: 404 },
      { method: 'POST', url: `/admin/rejected/${Number.MAX_SAFE_INTEGER}/redrive`, status: 404 },
      { method: 'POST', url: `/admin/parked/${Number.MAX_SAFE_INTEGER}/redrive`, status: 404 },
      { method: 'GET', url: `/admin/dead-letters?after=${Number.MAX_SAFE_INTEGER}&limit=1000`, status: 200 },
      { method: 'GET', url: `${AUDIT}&cursor=${b64({ p: 2 ** 31 - 1, o: '9223372036854775807' })}`, status: 200 },
      {
        method: 'GET',
        url: `/audit/patients/${NHS}/timeline?cursor=${b64({ t: '2100-12-31T23:59:59.999999Z', p: 0, o: '0' })}`,
        status: 404,
      },
      { method: 'GET', url: '/care-plan/tasks?dueBefore=2100-12-31T23:59:59Z&limit=1000', status: 200 },
      { method: 'GET', url: `/patients/${NHS}/gp-summary?asOf=1900-01-01T00:00:00Z`, status: 404 },
      { method: 'GET', url: '/audit/events?from=1900-01-01T00:00:00Z&to=1900-12-31T00:00:00Z', status: 200 },
    ] as const;
    for (const e of edge) {
      const response = await api.request(e.method, e.url);
      expect({ url: e.url, status: response.status }).toEqual({ url: e.url, status: e.status });
    }
  });
});
