/**
 * The authentication settings from the environment: an OIDC provider (`AUTH_ISSUER`,
 * `AUTH_JWKS_URL`, `AUTH_AUDIENCE`, all required together), or, with none of them set, the
 * development issuer (devIssuer.ts). There is no setting that turns verification off. Pure.
 */

import { isLoopbackHostname } from '../core/loopbackHost.js';
import { DEFAULT_AUDIENCE } from './devIssuer.js';
import { type AllowedAlgorithm, allowedAlgorithms } from './verifyToken.js';

export type AuthConfig =
  | {
      readonly mode: 'oidc';
      readonly issuer: string;
      readonly audience: string;
      readonly jwksUrl: URL;
      readonly algorithms: readonly AllowedAlgorithm[];
      readonly clockSkewSeconds: number;
    }
  | {
      readonly mode: 'development';
      readonly audience: string;
      readonly algorithms: readonly AllowedAlgorithm[];
      readonly clockSkewSeconds: number;
    };

type Problem = (variable: string, message: string) => void;

function parseAlgorithms(raw: string | undefined, problem: Problem): readonly AllowedAlgorithm[] {
  if (raw === undefined) return allowedAlgorithms;
  const names = raw.split(',').map((name) => name.trim());
  const bad = names.filter((name) => !(allowedAlgorithms as readonly string[]).includes(name));
  if (bad.length > 0 || names.length === 0) {
    const secret = bad.filter((name) => /^HS\d+$/i.test(name) || name.toLowerCase() === 'none');
    problem(
      'AUTH_ALGORITHMS',
      secret.length > 0
        ? `"${secret.join(',')}": only asymmetric signature algorithms are allowed (${allowedAlgorithms.join(', ')})`
        : `"${bad.join(',')}": expected a comma-separated list of ${allowedAlgorithms.join(', ')}`,
    );
    return allowedAlgorithms;
  }
  return Object.freeze(names as AllowedAlgorithm[]);
}

export function parseAuthConfig(value: (name: string) => string | undefined, problem: Problem): AuthConfig {
  const algorithms = parseAlgorithms(value('AUTH_ALGORITHMS'), problem);
  const skewRaw = value('AUTH_CLOCK_SKEW_SECONDS') ?? '30';
  const skew = /^\d{1,3}$/.test(skewRaw) ? Number(skewRaw) : Number.NaN;
  if (!(skew >= 0 && skew <= 300)) problem('AUTH_CLOCK_SKEW_SECONDS', `"${skewRaw}": expected an integer 0–300`);
  const clockSkewSeconds = Number.isFinite(skew) && skew <= 300 ? skew : 30;
  const issuer = value('AUTH_ISSUER');
  const jwksRaw = value('AUTH_JWKS_URL');
  const audience = value('AUTH_AUDIENCE');
  if (issuer === undefined && jwksRaw === undefined) {
    return Object.freeze({ mode: 'development', audience: audience ?? DEFAULT_AUDIENCE, algorithms, clockSkewSeconds });
  }
  if (issuer === undefined)
    problem('AUTH_ISSUER', 'missing: AUTH_JWKS_URL is set, so the issuer ("iss") its tokens carry is needed too');
  if (audience === undefined)
    problem(
      'AUTH_AUDIENCE',
      'missing: with an OIDC provider, the audience ("aud") tokens for this service carry is needed',
    );
  let jwksUrl: URL | undefined;
  if (jwksRaw === undefined) {
    problem('AUTH_JWKS_URL', 'missing: AUTH_ISSUER is set, so the URL of its signing keys (JWKS) is needed too');
  } else {
    try {
      jwksUrl = new URL(jwksRaw);
    } catch {
      problem('AUTH_JWKS_URL', `"${jwksRaw}": not a URL`);
    }
    if (
      jwksUrl !== undefined &&
      jwksUrl.protocol !== 'https:' &&
      !(jwksUrl.protocol === 'http:' && isLoopbackHostname(jwksUrl.hostname))
    ) {
      problem(
        'AUTH_JWKS_URL',
        `"${jwksRaw}": expected https:// (plain http only on this machine: 127.0.0.1, localhost, [::1])`,
      );
      jwksUrl = undefined;
    }
  }
  return Object.freeze({
    mode: 'oidc',
    issuer: issuer ?? '',
    audience: audience ?? '',
    jwksUrl: jwksUrl ?? new URL('https://invalid.invalid/'),
    algorithms,
    clockSkewSeconds,
  });
}
