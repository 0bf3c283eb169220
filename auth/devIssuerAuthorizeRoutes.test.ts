import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ISSUER, type DevSigningKey, devJwks, loadOrCreateDevKey } from './devIssuer.js';
import { CODE_TTL_SECONDS, s256Challenge } from './devIssuerAuthorize.js';
import { devIssuerAuthorizeRoutes } from './devIssuerAuthorizeRoutes.js';
import { allowedAlgorithms, createTokenVerifier } from './verifyToken.js';

const HOST = '127.0.0.1:8080';
const REDIRECT = `http://${HOST}/console/callback`;
const VERIFIER = 'aaaaaaaaaaaaaaaaaaaaB-._~B-._~B-._~B-._~B-._~0123456789';
const NHS = '9434765919';

let dir: string;
let key: DevSigningKey;
let app: FastifyInstance;
/** The issuer's clock starts at the real time: the tokens it mints are checked by a verifier on the real clock. */
const started = new Date();
let now = started;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-issuer-'));
  key = await loadOrCreateDevKey(dir);
  app = Fastify();
  await app.register(devIssuerAuthorizeRoutes, { key, audience: 'clinical-event-log', clock: () => now });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

const authorizeQuery = (overrides: Record<string, string | undefined> = {}) => {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'clinical-event-log-console',
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'state-123',
    code_challenge: s256Challenge(VERIFIER),
    code_challenge_method: 'S256',
    ...overrides,
  };
  return new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
};

const form = (fields: Record<string, string>) => ({
  headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

/** The sign-in page's form, posted with the role (and patient) chosen: the code from the redirect. */
async function signIn(role: string, patient = ''): Promise<string> {
  const page = await app.inject({
    method: 'GET',
    url: `/dev-issuer/authorize?${authorizeQuery()}`,
    headers: { host: HOST },
  });
  expect(page.statusCode).toBe(200);
  const hidden = Object.fromEntries(
    [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  const posted = await app.inject({
    method: 'POST',
    url: '/dev-issuer/authorize',
    ...form({ ...hidden, role, patient }),
  });
  expect(posted.statusCode).toBe(303);
  const location = new URL(String(posted.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('state-123');
  return location.searchParams.get('code') ?? '';
}

const exchange = (code: string, overrides: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/dev-issuer/token',
    ...form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'clinical-event-log-console',
      code_verifier: VERIFIER,
      ...overrides,
    }),
  });

describe('the development issuer signs in a browser with authorization code + PKCE', () => {
  it('shows an accessible sign-in page offering every role, under a strict CSP', async () => {
    const page = await app.inject({
      method: 'GET',
      url: `/dev-issuer/authorize?${authorizeQuery()}`,
      headers: { host: HOST },
    });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*form-action 'self'/);
    expect(page.body).toMatch(/<legend>Role<\/legend>/);
    expect(page.body).toMatch(/<label for="patient">/);
    for (const role of ['gp', 'operator', 'auditor']) expect(page.body).toContain(`value="${role}"`);
  });

  it('gives a token that verifies against the JWKS and carries the chosen role and patient', async () => {
    const response = await exchange(await signIn('pharmacist', NHS));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json() as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.scope).toContain('patient/MedicationRequest.rs');
    const verify = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: 'clinical-event-log',
      keys: { jwks: devJwks(key) },
      algorithms: allowedAlgorithms,
      clockSkewSeconds: 30,
    });
    now = new Date(); // the verifier reads the real clock
    try {
      const verified = await verify(body.access_token);
      expect(verified.ok && verified.value).toMatchObject({
        sub: 'dev-pharmacist',
        roles: ['pharmacist'],
        patient: NHS,
        clientId: 'clinical-event-log-console',
      });
    } finally {
      now = started;
    }
  });

  it('refuses a wrong verifier, a reused code, an expired code and another redirect URI', async () => {
    const wrong = await exchange(await signIn('gp'), { code_verifier: `${VERIFIER.slice(0, -1)}x` });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/code_verifier/),
    });

    const code = await signIn('gp');
    expect((await exchange(code)).statusCode).toBe(200);
    const reused = await exchange(code);
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/already used/),
    });

    const old = await signIn('gp');
    now = new Date(now.getTime() + CODE_TTL_SECONDS * 1000 + 1);
    const expired = await exchange(old);
    expect(expired.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/expired/),
    });

    const foreign = await exchange(await signIn('gp'), { redirect_uri: `http://${HOST}/console/elsewhere` });
    expect(foreign.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/redirect_uri/),
    });
  });

  it('refuses authorization requests without S256 PKCE or with a redirect URI elsewhere, without redirecting', async () => {
    for (const overrides of [
      { code_challenge_method: 'plain' },
      { code_challenge_method: undefined },
      { code_challenge: undefined },
      { redirect_uri: 'https://evil.example/console/callback' },
    ]) {
      const response = await app.inject({
        method: 'GET',
        url: `/dev-issuer/authorize?${authorizeQuery(overrides)}`,
        headers: { host: HOST },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
    const noRole = await app.inject({
      method: 'POST',
      url: '/dev-issuer/authorize',
      ...form({ ...Object.fromEntries(new URLSearchParams(authorizeQuery())), role: 'superuser' }),
    });
    expect(noRole.statusCode).toBe(400);
    expect(noRole.json()).toMatchObject({ error: 'invalid_request' });
  });
});
