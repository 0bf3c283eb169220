/**
 * The route × role matrix, on the real service: every route of the access policy (which must be
 * every route the service serves: the OpenAPI document's and the hidden ones) called with each
 * role's token, with no token, with tokens that must not pass (expired, another issuer, another
 * audience, `alg: none`, a tampered signature, an HS256 token signed with the issuer's public
 * key) and with a patient-bound token for another patient. Allowed calls answer their route's
 * success; refused ones 401 with `WWW-Authenticate: Bearer` or 403 naming what is missing
 * (an OperationOutcome under /fhir). A route without an example here fails the test.
 */
import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect } from 'vitest';
import { accessPolicy, type RouteKey, type RouteRule } from '../../auth/accessPolicy.js';
import { type Role, roles } from '../../auth/roles.js';
import type { ApiResponse } from '../support/apiClient.js';
import { awaitCatchUp, tailCanonicalLog } from '../support/invariantCheck.js';
import { sendOverMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { readCanonicalEvents, type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';

type Example = {
  readonly url: string;
  readonly body?: { readonly text: string; readonly contentType: string };
  /** Sent with every call of the route. */
  readonly headers?: Readonly<Record<string, string>>;
  /** What an allowed caller gets. */
  readonly ok: readonly number[];
};

const ANOTHER_PATIENT = '9434765919';
const sample = (file: string) => Buffer.from(sampleBytes(file)).toString('utf8');
const fhir = (file: string) => ({ text: sample(file), contentType: 'application/fhir+json' });
const signInQuery = new URLSearchParams({
  response_type: 'code',
  client_id: 'clinical-event-log-console',
  redirect_uri: 'http://localhost:5173/console/callback',
  state: 'matrix',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
}).toString();

/** One call per route, with parameters that succeed for an allowed caller. */
function examples(nhs: string, eventId: string, anchor: string): Readonly<Record<RouteKey, Example>> {
  const window = `from=${encodeURIComponent('2020-01-01T00:00:00Z')}&to=${encodeURIComponent('2020-01-20T00:00:00Z')}`;
  return {
    'GET /health': { url: '/health', ok: [200] },
    'GET /openapi.json': { url: '/openapi.json', ok: [200] },
    'GET /.well-known/openid-configuration': { url: '/.well-known/openid-configuration', ok: [200] },
    'GET /.well-known/jwks.json': { url: '/.well-known/jwks.json', ok: [200] },
    // The development issuer's sign-in: its page, a form without a role (400), an unknown code (400).
    'GET /dev-issuer/authorize': { url: `/dev-issuer/authorize?${signInQuery}`, ok: [200] },
    'POST /dev-issuer/authorize': {
      url: '/dev-issuer/authorize',
      body: { text: signInQuery, contentType: 'application/x-www-form-urlencoded' },
      ok: [400],
    },
    // The console's shell (built by npm ci's prepare or npm start): no token needed, no patient data.
    'GET /console': { url: '/console', ok: [200] },
    'GET /console/': { url: '/console/', ok: [200] },
    'GET /console/callback': { url: '/console/callback?code=x&state=y', ok: [200] },
    'GET /console/config.json': { url: '/console/config.json', ok: [200] },
    'GET /console/assets/:file': { url: '/console/assets/not-there.js', ok: [404] },
    'POST /dev-issuer/token': {
      url: '/dev-issuer/token',
      body: { text: 'grant_type=authorization_code&code=unknown', contentType: 'application/x-www-form-urlencoded' },
      ok: [400],
    },
    'GET /fhir/metadata': { url: '/fhir/metadata', ok: [200] },
    'GET /docs': { url: '/docs', ok: [200] },
    'GET /docs/': { url: '/docs/', ok: [200] },
    'GET /docs/json': { url: '/docs/json', ok: [200] },
    'GET /docs/yaml': { url: '/docs/yaml', ok: [200] },
    'GET /docs/static/*': { url: '/docs/static/swagger-ui.css', ok: [200] },
    // A redirect to /docs/ (followed or not, as the client does).
    'GET /docs/static/index.html': { url: '/docs/static/index.html', ok: [200, 302] },
    'GET /docs/static/swagger-initializer.js': { url: '/docs/static/swagger-initializer.js', ok: [200] },
    'GET /patients/:nhs/gp-summary': { url: `/patients/${nhs}/gp-summary`, ok: [200] },
    'GET /patients/:nhs/medications': { url: `/patients/${nhs}/medications`, ok: [200] },
    'GET /pharmacy/orders': { url: '/pharmacy/orders', ok: [200] },
    'GET /patients/:nhs/care-plan': { url: `/patients/${nhs}/care-plan`, ok: [200] },
    'GET /care-plan/tasks': {
      url: `/care-plan/tasks?dueBefore=${encodeURIComponent('2100-01-01T00:00:00Z')}`,
      ok: [200],
    },
    'GET /audit/patients/:nhs/timeline': { url: `/audit/patients/${nhs}/timeline`, ok: [200] },
    'GET /audit/events': { url: `/audit/events?patient=${nhs}`, ok: [200] },
    'GET /audit/events/:eventId': { url: `/audit/events/${eventId}`, ok: [200] },
    'GET /audit/patients/:nhs/verify': { url: `/audit/patients/${nhs}/verify`, ok: [200] },
    'GET /audit/anchor': { url: '/audit/anchor', ok: [200] },
    'POST /audit/anchor/verify': {
      url: '/audit/anchor/verify',
      body: { text: anchor, contentType: 'application/json' },
      ok: [200],
    },
    'GET /audit/access': { url: `/audit/access?patient=${nhs}`, ok: [200] },
    'GET /replay/events': { url: `/replay/events?${window}`, ok: [200] },
    'GET /admin/parked': { url: '/admin/parked', ok: [200] },
    'GET /admin/rejected': { url: '/admin/rejected', ok: [200] },
    'POST /admin/:kind/:id/redrive': { url: '/admin/parked/999999/redrive', ok: [404] },
    'GET /admin/dead-letters': { url: '/admin/dead-letters', ok: [200] },
    'GET /admin/dead-letters/:id': { url: '/admin/dead-letters/999999', ok: [404] },
    // Through a proxy: a loopback caller without one scrapes without a token (api/metricsRoutes.ts).
    'GET /metrics': { url: '/metrics', ok: [200], headers: { 'x-forwarded-for': '203.0.113.7' } },
    'POST /admin/dead-letters/:id/redrive': { url: '/admin/dead-letters/999999/redrive', ok: [404] },
    'POST /events': {
      url: '/events',
      body: { text: sample('json/medication_event.json'), contentType: 'application/json' },
      ok: [200, 201],
    },
    'POST /fhir': { url: '/fhir', body: fhir('fhir/bundle_transaction.json'), ok: [200, 201] },
    'POST /fhir/notify': {
      url: '/fhir/notify',
      body: fhir('fhir/bundle_subscription_notification.json'),
      ok: [200, 201],
    },
    'POST /fhir/Encounter': { url: '/fhir/Encounter', body: fhir('fhir/encounter_finished.json'), ok: [200, 201] },
    'POST /fhir/Condition': { url: '/fhir/Condition', body: fhir('fhir/condition_confirmed.json'), ok: [200, 201] },
    'POST /fhir/MedicationRequest': {
      url: '/fhir/MedicationRequest',
      body: fhir('fhir/medicationrequest_active.json'),
      ok: [200, 201],
    },
  };
}

const routeKeys = Object.keys(accessPolicy) as RouteKey[];

async function call(service: ServiceUnderTest, key: RouteKey, example: Example, token?: string): Promise<ApiResponse> {
  const method = key.split(' ')[0] ?? 'GET';
  const headers: Record<string, string> = {
    ...example.headers,
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  };
  if (example.body !== undefined) headers['content-type'] = example.body.contentType;
  return service.api
    .as({})
    .request(method, example.url, { headers, ...(example.body === undefined ? {} : { raw: example.body.text }) });
}

/** The code of a problem+json or an OperationOutcome answer. */
function codeOf(response: ApiResponse): string | undefined {
  const body = response.body as { code?: string; issue?: { details?: { coding?: { code?: string }[] } }[] } | undefined;
  return body?.code ?? body?.issue?.[0]?.details?.coding?.[0]?.code;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens that must never pass, each with the reason. */
async function forgedTokens(service: ServiceUnderTest, role: Role): Promise<readonly [string, string][]> {
  const good = await service.tokens.token(role);
  const [header = '', payload = '', signature = ''] = good.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const other = await generateKeyPair('ES256');
  const foreign = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: service.tokens.key.kid })
    .setIssuer('https://another-issuer.example')
    .sign(other.privateKey);
  const sameKeyOtherKid = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'not-a-key-of-the-issuer' })
    .sign(other.privateKey);
  const publicJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
  const hsInput = `${b64({ alg: 'HS256', kid: service.tokens.key.kid })}.${payload}`;
  const hsWithPublicKey = `${hsInput}.${createHmac('sha256', JSON.stringify(service.tokens.key.publicJwk)).update(hsInput).digest('base64url')}`;
  const tamperedClaims = b64({
    ...claims,
    roles: ['operator', 'auditor', 'gp', 'pharmacist', 'care-coordinator', 'analyst', 'integration'],
  });
  return [
    ['no signature (alg none)', `${b64({ alg: 'none' })}.${payload}.`],
    ['a tampered payload', `${header}.${tamperedClaims}.${signature}`],
    [
      'a tampered signature',
      `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`,
    ],
    ['expired', await service.tokens.token(role, { ttlSeconds: 1, now: new Date((now - 3600) * 1000) })],
    ['another audience', await service.tokens.token(role, { audience: 'another-service' })],
    ['another issuer and key', foreign],
    ['a key the issuer does not have', sameKeyOtherKid],
    ['HS256 keyed with the public key', hsWithPublicKey],
    ['not a JWT', 'not-a-token'],
    ['a JWK instead of a token', b64(publicJwk)],
  ];
}

describe('the route × role matrix', () => {
  test('every route answers each role, no token, a bad token and another patient as the access policy says', async ({
    service,
  }) => {
    // A patient known to every view and index: an order and a discharge.
    const tail = await tailCanonicalLog(service);
    try {
      for (const file of ['hl7v2/orm_o01_new_order.hl7', 'hl7v2/adt_a03_discharge.hl7']) {
        await sendOverMllp(service.mllpPort, sampleBytes(file));
      }
      await awaitCatchUp(tail, service.api);
    } finally {
      await tail.close();
    }
    const [first] = await readCanonicalEvents(service);
    if (first === undefined) throw new Error('no event on the log');
    const nhs = first.patient.nhsNumber;
    expect(nhs).not.toBe(ANOTHER_PATIENT);
    const anchor = (await service.api.get('/audit/anchor')).text;
    const table = examples(nhs, first.eventId, anchor);

    // Every route served is in the policy, and every policy row has an example here.
    const openapi = (await service.api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(served.filter((route) => !(route in accessPolicy))).toEqual([]);
    expect(routeKeys.filter((key) => !(key in table))).toEqual([]);

    const failures: string[] = [];
    const expectThat = (ok: boolean, what: string) => {
      if (!ok) failures.push(what);
    };

    for (const [key, rule] of Object.entries(accessPolicy) as [RouteKey, RouteRule][]) {
      const example = table[key];
      if (example === undefined) continue; // reported above
      if (rule.access === 'anonymous') {
        const response = await call(service, key, example);
        expectThat(example.ok.includes(response.status), `${key} anonymous → ${response.status}`);
        continue;
      }
      // Without a token, or with one that must not pass: 401 and a Bearer challenge.
      const role = rule.roles[0] ?? 'operator';
      const refusals: [string, string | undefined][] = [
        ['no token', undefined],
        ...(await forgedTokens(service, role)),
      ];
      for (const [what, token] of refusals) {
        const response = await call(service, key, example, token);
        expectThat(
          response.status === 401 &&
            codeOf(response) === 'CEL_ERR_UNAUTHENTICATED' &&
            (response.headers.get('www-authenticate') ?? '').startsWith('Bearer'),
          `${key} with ${what} → ${response.status} ${codeOf(response)}`,
        );
      }
      // Each role: its success if the policy lets it call the route, else 403 naming the role.
      for (const each of roles) {
        const response = await call(service, key, example, await service.tokens.token(each));
        if (rule.roles.includes(each))
          expectThat(
            example.ok.includes(response.status),
            `${key} as ${each} → ${response.status} ${response.text.slice(0, 200)}`,
          );
        else
          expectThat(
            response.status === 403 && codeOf(response) === 'CEL_ERR_FORBIDDEN',
            `${key} as ${each} → ${response.status} (expected 403)`,
          );
      }
      // The role without the route's scopes: 403 naming a scope it lacks.
      const scopeless = await call(service, key, example, await service.tokens.token(role, { onlyScopes: ['openid'] }));
      expectThat(
        scopeless.status === 403 &&
          (scopeless.headers.get('www-authenticate') ?? '').includes('insufficient_scope') &&
          /lacks the scope \w+\/\w+\.\w+/.test(scopeless.text),
        `${key} as ${role} without scopes → ${scopeless.status} ${scopeless.text.slice(0, 200)}`,
      );
      // A token bound to another patient: refused wherever it would reach records.
      const bound = await service.tokens.token(role, { patient: ANOTHER_PATIENT });
      const asBound = await call(service, key, example, bound);
      expectThat(asBound.status === 403, `${key} as ${role} bound to another patient → ${asBound.status}`);
      // Bound to this patient: routes of one patient still answer.
      if (rule.patient.kind === 'path' || rule.patient.kind === 'query' || rule.patient.kind === 'resolved') {
        const own = await call(service, key, example, await service.tokens.token(role, { patient: nhs }));
        expectThat(example.ok.includes(own.status), `${key} as ${role} bound to its patient → ${own.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
