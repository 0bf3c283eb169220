import { describe, expect, test } from 'vitest';
import { parseAuthConfig } from './authConfig.js';

function parse(env: Record<string, string>) {
  const problems: string[] = [];
  const config = parseAuthConfig(
    (name) => env[name],
    (variable, message) => problems.push(`${variable}: ${message}`),
  );
  return { config, problems };
}

describe('parseAuthConfig', () => {
  test('nothing set: the development issuer', () => {
    expect(parse({})).toMatchObject({ config: { mode: 'development', audience: 'clinical-event-log' }, problems: [] });
  });

  test('a provider needs its issuer, keys and audience together', () => {
    expect(parse({ AUTH_ISSUER: 'https://idp.example/realms/nhs' }).problems).toEqual([
      expect.stringMatching(/^AUTH_AUDIENCE: missing/),
      expect.stringMatching(/^AUTH_JWKS_URL: missing/),
    ]);
    expect(
      parse({
        AUTH_ISSUER: 'https://idp.example/realms/nhs',
        AUTH_JWKS_URL: 'https://idp.example/realms/nhs/protocol/openid-connect/certs',
        AUTH_AUDIENCE: 'cel',
      }),
    ).toMatchObject({ config: { mode: 'oidc', audience: 'cel' }, problems: [] });
  });

  test('plain http keys only on this machine', () => {
    const base = { AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'cel' };
    expect(parse({ ...base, AUTH_JWKS_URL: 'http://idp.example/certs' }).problems).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: .*expected https/),
    ]);
    expect(parse({ ...base, AUTH_JWKS_URL: 'http://127.0.0.1:8443/certs' }).problems).toEqual([]);
  });

  test.each(['HS256', 'none', 'RS256,HS512'])('AUTH_ALGORITHMS=%s is refused: shared secrets and none', (value) => {
    expect(parse({ AUTH_ALGORITHMS: value }).problems).toEqual([
      expect.stringMatching(/^AUTH_ALGORITHMS: .*only asymmetric/),
    ]);
  });

  test('the clock skew has bounds', () => {
    expect(parse({ AUTH_CLOCK_SKEW_SECONDS: '301' }).problems).toEqual([
      expect.stringMatching(/^AUTH_CLOCK_SKEW_SECONDS/),
    ]);
  });
});
