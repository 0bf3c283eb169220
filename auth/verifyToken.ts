/**
 * Bearer token verification with `jose`: the signature against the issuer's JWKS (fetched and
 * cached, fetched again when a token names a `kid` it does not hold), an allow-listed
 * asymmetric algorithm (never `none`, never HS*: a public key is not a shared secret), `iss`,
 * `aud`, `exp` (required) and `nbf` with a small clock skew, then the claims as a Principal.
 * A refusal names what is wrong with the token; a JWKS that cannot be fetched is the service's
 * problem, not the caller's (`unavailable`). I/O (the JWKS fetch).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { err, ok, type Result } from '../core/result.js';
import { type Principal, principalFromClaims } from './principal.js';

/** Asymmetric JWS algorithms only. */
export const allowedAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type AllowedAlgorithm = (typeof allowedAlgorithms)[number];

export type TokenRefusal =
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'unavailable'; readonly detail: string };

export type TokenVerifier = (token: string) => Promise<Result<Principal, TokenRefusal>>;

export type VerifierOptions = {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: { readonly jwksUrl: URL } | { readonly jwks: JSONWebKeySet };
  readonly algorithms: readonly AllowedAlgorithm[];
  readonly clockSkewSeconds: number;
  /** The least time between two JWKS fetches for unknown `kid`s (default 5 s). */
  readonly jwksCooldownMs?: number;
};

const invalid = (detail: string): Result<Principal, TokenRefusal> => err({ kind: 'invalid', detail });

function describe(error: unknown): Result<Principal, TokenRefusal> {
  if (error instanceof errors.JWTExpired) return invalid('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'nbf') return invalid('the token is not valid yet ("nbf")');
    if (claim === 'iss') return invalid('the token is from another issuer ("iss")');
    if (claim === 'aud') return invalid('the token is for another audience ("aud")');
    return invalid(`the token's "${claim}" claim is missing or not valid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("the token's signature algorithm is not allowed");
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("the token's signature does not verify");
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('no key of the issuer matches the token ("kid")');
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return invalid('the token matches more than one key of the issuer');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return err({ kind: 'unavailable', detail: "the token issuer's keys (JWKS) cannot be read now" });
  if (error instanceof errors.JOSENotSupported)
    return invalid('the token uses a key or algorithm this service does not support');
  if (error instanceof errors.JOSEError) return invalid('the bearer token is not a signed JWT');
  // A JWKS fetch that failed at the network level (refused, DNS, TLS).
  return err({ kind: 'unavailable', detail: "the token issuer's keys (JWKS) cannot be read now" });
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const getKey: JWTVerifyGetKey =
    'jwksUrl' in options.keys
      ? createRemoteJWKSet(options.keys.jwksUrl, {
          cooldownDuration: options.jwksCooldownMs ?? 5_000,
          cacheMaxAge: 10 * 60_000,
          timeoutDuration: 5_000,
        })
      : createLocalJWKSet(options.keys.jwks);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      const principal = principalFromClaims(payload);
      return principal.ok ? ok(principal.value) : invalid(principal.error);
    } catch (error) {
      return describe(error);
    }
  };
}
