/**
 * Bearer token verification with `jose`: the signature against the issuer's JWKS (fetched and
 * cached, fetched again when a token names a `kid` it does not hold), an allow-listed
 * asymmetric algorithm (never `none`, never HS*: a public key is not a shared secret), `iss`,
 * `aud`, `exp` (required) and `nbf` with a small clock skew, then the claims as a Principal.
 * A refusal names what is wrong with the token; a JWKS that cannot be fetched is the service's
 * problem, not the caller's (`unavailable`). A token verified once is served from memory within
 * its lifetime for a few minutes (VerifiedTokens, below). I/O (the JWKS fetch).
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
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
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
  const now = options.now ?? Date.now;
  const verified = new VerifiedTokens(options.clockSkewSeconds, now);
  return async (token) => {
    const known = verified.get(token);
    if (known !== undefined) return ok(known);
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      });
      const principal = principalFromClaims(payload);
      if (!principal.ok) return invalid(principal.error);
      verified.set(token, principal.value, payload.exp ?? 0, payload.nbf);
      return ok(principal.value);
    } catch (error) {
      return describe(error);
    }
  };
}

/**
 * Tokens already verified, so a client's next request with the same token costs a lookup, not a
 * signature check: each is served only within its own lifetime (`nbf`…`exp`, with the clock
 * skew) and for at most five minutes after it was verified (so a key the issuer withdraws stops
 * its tokens within that time); at most 10,000 are held, the oldest going first. A token that is
 * not served from here is verified in full, and a refusal is never kept.
 */
class VerifiedTokens {
  private static readonly MAX_ENTRIES = 10_000;
  private static readonly MAX_AGE_MS = 5 * 60_000;
  private readonly entries = new Map<
    string,
    { readonly principal: Principal; readonly exp: number; readonly nbf: number | undefined; readonly at: number }
  >();

  constructor(
    private readonly skewSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    const nowMs = this.now();
    const seconds = nowMs / 1000;
    const fresh =
      nowMs - entry.at < VerifiedTokens.MAX_AGE_MS &&
      seconds <= entry.exp + this.skewSeconds &&
      (entry.nbf === undefined || seconds >= entry.nbf - this.skewSeconds);
    if (fresh) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, principal: Principal, exp: number, nbf: number | undefined): void {
    if (this.entries.size >= VerifiedTokens.MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { principal, exp, nbf, at: this.now() });
  }
}
