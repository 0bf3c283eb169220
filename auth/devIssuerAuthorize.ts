/**
 * The rules of the development issuer's authorization-code flow with PKCE (RFC 6749 §4.1,
 * RFC 7636), apart from HTTP: which redirect URIs it sends codes to (same-origin `/console/…`
 * paths and loopback origins, never elsewhere), the S256 check of a code verifier against its
 * challenge, the authorization request's parameters, and the store of single-use codes that
 * expire after CODE_TTL_SECONDS. Pure (the code store keeps its codes in memory).
 */
import { createHash, randomBytes } from 'node:crypto';
import { isLoopbackHostname } from '../core/loopbackHost.js';
import { err, ok, type Result } from '../core/result.js';
import type { Role } from './roles.js';

export const CODE_TTL_SECONDS = 60;
/** The codes kept at once; the oldest go first when a flood of unfinished sign-ins would pass it. */
const MAX_CODES = 1000;

/** An OAuth error answer (RFC 6749 §5.2). */
export type OAuthError = {
  readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';
  readonly error_description: string;
};

const oauthError = (error: OAuthError['error'], description: string): OAuthError => ({
  error,
  error_description: description,
});

/**
 * Whether codes may be sent to `redirectUri`: an absolute URL without fragment or credentials,
 * either on `origin` (the issuer's own) under `/console/`, or on a loopback host over http(s).
 */
export function isAllowedRedirectUri(redirectUri: string, origin: string): boolean {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  if (url.hash !== '' || redirectUri.includes('#') || url.username !== '' || url.password !== '') return false;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.origin === origin) return url.pathname.startsWith('/console/');
  return isLoopbackHostname(url.hostname);
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/** The S256 challenge of a verifier: BASE64URL(SHA-256(verifier)). */
export const s256Challenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** Whether `verifier` is a well-formed PKCE verifier whose S256 challenge is `challenge`. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return VERIFIER.test(verifier) && s256Challenge(verifier) === challenge;
}

/** What an authorization request asks for, once its parameters are checked. */
export type AuthorizationRequest = {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string;
  readonly codeChallenge: string;
};

const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;
const TEXT = /^[\x20-\x7e]{0,500}$/;

/** The authorization request's parameters checked: response_type=code, a client, an allowed redirect URI, an S256 challenge. */
export function readAuthorizationRequest(
  params: Readonly<Record<string, unknown>>,
  origin: string,
): Result<AuthorizationRequest, OAuthError> {
  const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
  if (text('response_type') !== 'code')
    return err(oauthError('invalid_request', 'response_type must be "code" (the authorization-code flow)'));
  const clientId = text('client_id');
  if (clientId === undefined || !CLIENT_ID.test(clientId))
    return err(oauthError('invalid_request', 'client_id is missing or not printable text'));
  const redirectUri = text('redirect_uri');
  if (redirectUri === undefined || !isAllowedRedirectUri(redirectUri, origin))
    return err(
      oauthError(
        'invalid_request',
        'redirect_uri must be an absolute URL under /console/ on this server, or on a loopback host',
      ),
    );
  const method = text('code_challenge_method');
  if (method !== 'S256')
    return err(
      oauthError(
        'invalid_request',
        method === undefined
          ? 'code_challenge_method is missing: PKCE with S256 is required'
          : `code_challenge_method "${method}" is not supported: only S256`,
      ),
    );
  const codeChallenge = text('code_challenge');
  if (codeChallenge === undefined || !CHALLENGE.test(codeChallenge))
    return err(oauthError('invalid_request', 'code_challenge must be the 43-character base64url S256 challenge'));
  const state = text('state') ?? '';
  const scope = text('scope') ?? '';
  if (!TEXT.test(state) || !TEXT.test(scope))
    return err(oauthError('invalid_request', 'state and scope must be printable text of at most 500 characters'));
  return ok({ clientId, redirectUri, scope, state, codeChallenge });
}

/** Who signed in, as what, for an authorization request: what the code stands for. */
export type Grant = AuthorizationRequest & { readonly role: Role; readonly patient?: string };

/** The token request's parameters (RFC 6749 §4.1.3 with RFC 7636's `code_verifier`). */
export type TokenRequestParams = {
  readonly grantType: string | undefined;
  readonly code: string | undefined;
  readonly redirectUri: string | undefined;
  readonly clientId: string | undefined;
  readonly codeVerifier: string | undefined;
};

export type CodeStore = {
  /** A new single-use code for the grant, valid for CODE_TTL_SECONDS from `now`. */
  issue(grant: Grant, now: Date): string;
  /** The grant of a token request, the code spent whether it succeeds or not; or why it is refused. */
  redeem(request: TokenRequestParams, now: Date): Result<Grant, OAuthError>;
};

export function createCodeStore(makeCode: () => string = () => randomBytes(32).toString('base64url')): CodeStore {
  const codes = new Map<string, { readonly grant: Grant; readonly expiresAt: number }>();
  const prune = (nowMs: number) => {
    for (const [code, entry] of codes) if (entry.expiresAt <= nowMs) codes.delete(code);
    while (codes.size >= MAX_CODES) {
      const oldest = codes.keys().next().value;
      if (oldest === undefined) break;
      codes.delete(oldest);
    }
  };
  return {
    issue(grant, now) {
      prune(now.getTime());
      const code = makeCode();
      codes.set(code, { grant, expiresAt: now.getTime() + CODE_TTL_SECONDS * 1000 });
      return code;
    },
    redeem(request, now) {
      if (request.grantType !== 'authorization_code')
        return err(oauthError('unsupported_grant_type', 'grant_type must be "authorization_code"'));
      if (request.code === undefined || request.code === '')
        return err(oauthError('invalid_request', 'code is missing'));
      const entry = codes.get(request.code);
      codes.delete(request.code); // single use: a second try with the same code fails even after a refusal
      if (entry === undefined)
        return err(oauthError('invalid_grant', 'the code is unknown or was already used; sign in again'));
      if (entry.expiresAt <= now.getTime())
        return err(oauthError('invalid_grant', `the code expired (codes last ${CODE_TTL_SECONDS} s); sign in again`));
      const { grant } = entry;
      if (request.clientId !== grant.clientId)
        return err(oauthError('invalid_grant', 'client_id is not the one the code was issued to'));
      if (request.redirectUri !== grant.redirectUri)
        return err(oauthError('invalid_grant', 'redirect_uri is not the one of the authorization request'));
      if (request.codeVerifier === undefined || !verifierMatches(request.codeVerifier, grant.codeChallenge))
        return err(oauthError('invalid_grant', "code_verifier does not match the authorization request's challenge"));
      return ok(grant);
    },
  };
}
