/**
 * Verification against a JWKS served over HTTP, as from a real provider: keys fetched and
 * cached, fetched again for a `kid` they do not hold (rotation), and an unreachable JWKS is the
 * service's problem (`unavailable`), never a pass.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTokenVerifier } from './verifyToken.js';

const ISSUER = 'https://idp.example/realms/nhs';
const AUDIENCE = 'clinical-event-log';

let server: Server;
let jwksUrl: URL;
let served: JWK[] = [];
let fetches = 0;

async function signer(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sign = (claims: Record<string, unknown> = {}) =>
    new SignJWT({
      roles: ['gp'],
      scope: 'user/Condition.rs',
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'dr-who',
      exp: Math.floor(Date.now() / 1000) + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(privateKey);
  return { jwk, sign };
}

beforeAll(async () => {
  server = createServer((_request, response) => {
    fetches += 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a provider JWKS', () => {
  test('keys are cached, and fetched again when a token names a kid the cache lacks', async () => {
    const first = await signer('k1');
    served = [first.jwk];
    fetches = 0;
    const verify = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { jwksUrl },
      algorithms: ['RS256'],
      clockSkewSeconds: 30,
      jwksCooldownMs: 0,
    });
    expect(await verify(await first.sign())).toMatchObject({ ok: true, value: { sub: 'dr-who', roles: ['gp'] } });
    expect(await verify(await first.sign())).toMatchObject({ ok: true });
    expect(fetches).toBe(1);

    // The provider rotates: a new key is published and the old one withdrawn.
    const second = await signer('k2');
    served = [second.jwk];
    expect(await verify(await second.sign())).toMatchObject({ ok: true });
    expect(fetches).toBe(2);
    // An algorithm outside the allow-list is refused even with a published key.
    const strict = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { jwksUrl },
      algorithms: ['ES256'],
      clockSkewSeconds: 30,
    });
    expect(await strict(await second.sign())).toEqual({
      ok: false,
      error: { kind: 'invalid', detail: "the token's signature algorithm is not allowed" },
    });
  });

  test('a token outside its lifetime is refused, within the clock skew it passes', async () => {
    const key = await signer('k3');
    served = [key.jwk];
    const verify = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { jwksUrl },
      algorithms: ['RS256'],
      clockSkewSeconds: 30,
      jwksCooldownMs: 0,
    });
    const now = Math.floor(Date.now() / 1000);
    expect(await verify(await key.sign({ exp: now - 10 }))).toMatchObject({ ok: true });
    expect(await verify(await key.sign({ exp: now - 60 }))).toEqual({
      ok: false,
      error: { kind: 'invalid', detail: 'the token has expired' },
    });
    expect(await verify(await key.sign({ nbf: now + 120 }))).toEqual({
      ok: false,
      error: { kind: 'invalid', detail: 'the token is not valid yet ("nbf")' },
    });
  });

  test('a token verified once is served within its lifetime, and refused once it expires', async () => {
    const key = await signer('k5');
    served = [key.jwk];
    let now = Date.now();
    const verify = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { jwksUrl },
      algorithms: ['RS256'],
      clockSkewSeconds: 30,
      jwksCooldownMs: 0,
      now: () => now,
    });
    const token = await key.sign({ exp: Math.floor(now / 1000) + 120 });
    expect(await verify(token)).toMatchObject({ ok: true });
    now += 100_000; // still within exp + skew: served
    expect(await verify(token)).toMatchObject({ ok: true, value: { sub: 'dr-who' } });
    now += 100_000; // past exp and the skew: verified again, and refused
    expect(await verify(token)).toEqual({ ok: false, error: { kind: 'invalid', detail: 'the token has expired' } });
  });

  test('an unreachable JWKS makes no decision: unavailable', async () => {
    const key = await signer('k4');
    const verify = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { jwksUrl: new URL('http://127.0.0.1:9/certs') },
      algorithms: ['RS256'],
      clockSkewSeconds: 30,
    });
    expect(await verify(await key.sign())).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
  });
});
