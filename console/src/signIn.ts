/**
 * Signing in with the authorization-code flow and PKCE against the issuer the service names
 * (/console/config.json: the development issuer, or the configured OIDC provider): its
 * discovery document gives the authorization and token endpoints; the verifier and state wait
 * in sessionStorage during the round trip; the token is kept in sessionStorage (never in the
 * URL: the callback's address is replaced once the code is exchanged). I/O (fetch, storage).
 */
import { randomToken, s256Challenge } from './pkce.js';

export type ConsoleConfig = {
  readonly issuer: string;
  readonly clientId: string;
  readonly discoveryUrl: string;
  readonly scope: string;
};

type Discovery = { readonly authorization_endpoint: string; readonly token_endpoint: string };

export type Session = {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly roles: readonly string[];
  readonly sub: string;
  readonly patient?: string;
};

const PENDING = 'cel-console-pending';
const SESSION = 'cel-console-session';
export const CALLBACK_PATH = '/console/callback';

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

export const loadConfig = () => getJson<ConsoleConfig>('/console/config.json');

const discover = (config: ConsoleConfig) => getJson<Discovery>(config.discoveryUrl);

/** Sends the browser to the issuer's sign-in page. */
export async function startSignIn(config: ConsoleConfig): Promise<void> {
  const discovery = await discover(config);
  const verifier = randomToken();
  const state = randomToken();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(discovery.authorization_endpoint, location.href);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: await s256Challenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** The claims the console shows: who, as what roles, for which patient (the API checks the token itself). */
function sessionOf(accessToken: string, expiresIn: number): Session {
  const payload = accessToken.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as {
    sub?: string;
    roles?: unknown;
    realm_access?: { roles?: unknown };
    patient?: unknown;
  };
  const rolesClaim = claims.roles ?? claims.realm_access?.roles;
  const roles = Array.isArray(rolesClaim)
    ? rolesClaim.filter((r): r is string => typeof r === 'string')
    : typeof rolesClaim === 'string'
      ? [rolesClaim]
      : [];
  return {
    accessToken,
    expiresAt: Date.now() + expiresIn * 1000,
    roles,
    sub: claims.sub ?? 'unknown',
    ...(typeof claims.patient === 'string' ? { patient: claims.patient } : {}),
  };
}

/** On the callback: checks the state, exchanges the code, keeps the token and takes the code out of the address. */
export async function completeSignIn(config: ConsoleConfig): Promise<Session> {
  const params = new URLSearchParams(location.search);
  history.replaceState(null, '', '/console/');
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error !== null) throw new Error(`the issuer refused the sign-in: ${params.get('error_description') ?? error}`);
  const code = params.get('code');
  if (pending === null || code === null || params.get('state') !== pending.state)
    throw new Error('this sign-in was not started here (state does not match); sign in again');
  const discovery = await discover(config);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || body.access_token === undefined)
    throw new Error(`the token exchange failed: ${body.error_description ?? body.error ?? response.status}`);
  const session = sessionOf(body.access_token, body.expires_in ?? 300);
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

/** The session kept in this tab, while its token lasts. */
export function currentSession(): Session | undefined {
  const session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null') as Session | null;
  if (session === null || session.expiresAt <= Date.now()) return undefined;
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION);
}

export const isCallback = () => location.pathname === CALLBACK_PATH;
