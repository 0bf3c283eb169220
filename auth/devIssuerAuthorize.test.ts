import { describe, expect, it } from 'vitest';
import {
  CODE_TTL_SECONDS,
  createCodeStore,
  type Grant,
  isAllowedRedirectUri,
  readAuthorizationRequest,
  s256Challenge,
  verifierMatches,
} from './devIssuerAuthorize.js';

const ORIGIN = 'http://127.0.0.1:8080';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
// RFC 7636 appendix B's example pair.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const grant: Grant = {
  clientId: 'console',
  redirectUri: `${ORIGIN}/console/callback`,
  scope: 'openid',
  state: 's',
  codeChallenge: CHALLENGE,
  role: 'gp',
};
const tokenRequest = (code: string, overrides: Record<string, string | undefined> = {}) => ({
  grantType: 'authorization_code',
  code,
  redirectUri: grant.redirectUri,
  clientId: grant.clientId,
  codeVerifier: VERIFIER,
  ...overrides,
});

describe('PKCE S256', () => {
  it("computes RFC 7636's example challenge and matches only its verifier", () => {
    expect(s256Challenge(VERIFIER)).toBe(CHALLENGE);
    expect(verifierMatches(VERIFIER, CHALLENGE)).toBe(true);
    expect(verifierMatches(`${VERIFIER.slice(0, -1)}a`, CHALLENGE)).toBe(false);
    expect(verifierMatches('short', s256Challenge('short'))).toBe(false); // under 43 characters
  });
});

describe('redirect URIs', () => {
  it.each([
    [`${ORIGIN}/console/callback`, true],
    [`${ORIGIN}/console/`, true],
    ['http://localhost:5173/console/callback', true],
    ['http://[::1]:9000/anything', true],
    [`${ORIGIN}/docs/`, false],
    [`${ORIGIN}/console/callback#x`, false],
    ['https://evil.example/console/callback', false],
    ['http://127.0.0.1.evil.example/console/callback', false],
    ['http://user:pw@127.0.0.1:8080/console/callback', false],
    ['javascript:alert(1)', false],
    ['/console/callback', false],
  ])('%s → %s', (uri, allowed) => {
    expect(isAllowedRedirectUri(uri, ORIGIN)).toBe(allowed);
  });
});

describe('authorization requests', () => {
  const params = {
    response_type: 'code',
    client_id: 'console',
    redirect_uri: `${ORIGIN}/console/callback`,
    state: 'xyz',
    scope: 'openid',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  };
  it('reads a complete S256 request', () => {
    expect(readAuthorizationRequest(params, ORIGIN)).toEqual({
      ok: true,
      value: {
        clientId: 'console',
        redirectUri: params.redirect_uri,
        scope: 'openid',
        state: 'xyz',
        codeChallenge: CHALLENGE,
      },
    });
  });
  it.each([
    ['plain', { code_challenge_method: 'plain' }, /only S256/],
    ['no method', { code_challenge_method: undefined }, /PKCE with S256 is required/],
    ['no challenge', { code_challenge: undefined }, /code_challenge/],
    ['implicit', { response_type: 'token' }, /response_type/],
    ['foreign redirect', { redirect_uri: 'https://evil.example/console/callback' }, /redirect_uri/],
    ['no client', { client_id: undefined }, /client_id/],
  ])('refuses %s', (_what, change, message) => {
    const result = readAuthorizationRequest({ ...params, ...change }, ORIGIN);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.error).toBe('invalid_request');
      expect(result.error.error_description).toMatch(message);
    }
  });
});

describe('the code store', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('gives the grant once for the right verifier, client and redirect URI', () => {
    const codes = createCodeStore();
    const code = codes.issue(grant, now);
    expect(codes.redeem(tokenRequest(code), now)).toEqual({ ok: true, value: grant });
    const again = codes.redeem(tokenRequest(code), now);
    expect(again.ok || again.error.error).toBe('invalid_grant');
  });
  it.each([
    ['a wrong verifier', { codeVerifier: `${VERIFIER.slice(0, -1)}a` }, /code_verifier/],
    ['another client', { clientId: 'other' }, /client_id/],
    ['another redirect URI', { redirectUri: `${ORIGIN}/console/other` }, /redirect_uri/],
  ])('refuses %s, and the code is spent', (_what, change, message) => {
    const codes = createCodeStore();
    const code = codes.issue(grant, now);
    const refused = codes.redeem(tokenRequest(code, change), now);
    expect(refused.ok ? '' : `${refused.error.error} ${refused.error.error_description}`).toMatch(message);
    expect(codes.redeem(tokenRequest(code), now).ok).toBe(false);
  });
  it(`refuses a code older than ${CODE_TTL_SECONDS} s`, () => {
    const codes = createCodeStore();
    const code = codes.issue(grant, now);
    const late = new Date(now.getTime() + CODE_TTL_SECONDS * 1000);
    const refused = codes.redeem(tokenRequest(code), late);
    expect(refused.ok ? '' : refused.error.error_description).toMatch(/expired/);
    const justInTime = codes.issue(grant, now);
    expect(codes.redeem(tokenRequest(justInTime), new Date(late.getTime() - 1)).ok).toBe(true);
  });
  it('refuses another grant type and a missing code', () => {
    const codes = createCodeStore();
    const code = codes.issue(grant, now);
    const password = codes.redeem(tokenRequest(code, { grantType: 'password' }), now);
    expect(password.ok || password.error.error).toBe('unsupported_grant_type');
    const none = codes.redeem(tokenRequest('', {}), now);
    expect(none.ok || none.error.error).toBe('invalid_request');
  });
});
