/**
 * The registry's trust boundary: every request but the liveness `GET /` carries credentials,
 * HTTP Basic (checked against the users file, registryUsers.ts) or a bearer JWT (verified as the
 * API verifies it, auth/verifyToken.ts: the configured OIDC provider, else the development
 * issuer), and the route's permission (registryRoles.ts) must be one the caller's role holds.
 * 401 `{"error_code":40101}` with `WWW-Authenticate: Basic realm="schema-registry"` and
 * `Bearer realm="schema-registry"` for missing or bad credentials, 403 `{"error_code":40301}`
 * for a role that may not, 503 when the issuer's keys cannot be read. Secrets are never logged.
 * I/O.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AuthConfig } from '../auth/authConfig.js';
import { DEV_ISSUER, devJwks, loadOrCreateDevKey } from '../auth/devIssuer.js';
import { createTokenVerifier, type TokenVerifier } from '../auth/verifyToken.js';
import type { RegistryApp } from './buildRegistryApp.js';
import { type RegistryProblem, toErrorResponse } from './registryErrors.js';
import {
  mayDo,
  permissionOf,
  permissionWording,
  type RegistryPermission,
  type RegistryRole,
  registryRoleOfToken,
} from './registryRoles.js';
import type { RegistryUsers } from './registryUsers.js';

export type RegistryAuth = {
  readonly users: RegistryUsers;
  readonly verifyToken: TokenVerifier;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's permission from registryRoles.ts, attached when the route is added. */
    registryPermission?: RegistryPermission;
  }
}

export const REGISTRY_REALM = 'schema-registry';
const CHALLENGES = [`Basic realm="${REGISTRY_REALM}"`, `Bearer realm="${REGISTRY_REALM}"`];

const BASIC = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i;
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i;

/** The verifier of the configured issuer: an OIDC provider, or the development issuer (its key made if missing). */
export async function registryTokenVerifier(auth: AuthConfig, localStackDir: string): Promise<TokenVerifier> {
  if (auth.mode === 'oidc') {
    return createTokenVerifier({
      issuer: auth.issuer,
      audience: auth.audience,
      keys: { jwksUrl: auth.jwksUrl },
      algorithms: auth.algorithms,
      clockSkewSeconds: auth.clockSkewSeconds,
    });
  }
  return createTokenVerifier({
    issuer: DEV_ISSUER,
    audience: auth.audience,
    keys: { jwks: devJwks(await loadOrCreateDevKey(localStackDir)) },
    algorithms: auth.algorithms,
    clockSkewSeconds: auth.clockSkewSeconds,
  });
}

type Caller = { readonly who: string; readonly role: RegistryRole | undefined };

type Authenticated =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly problem: RegistryProblem };

async function authenticate(header: string | undefined, auth: RegistryAuth): Promise<Authenticated> {
  const unauthenticated = (reason: string): Authenticated => ({
    ok: false,
    problem: { kind: 'unauthenticated', reason },
  });
  if (header === undefined) return unauthenticated('credentials are required (Authorization: Basic … or Bearer …)');
  const basic = BASIC.exec(header)?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return unauthenticated('the Basic credentials are not "user:password"');
    const name = decoded.slice(0, colon);
    const role = await auth.users.verify(name, decoded.slice(colon + 1));
    return role === undefined
      ? unauthenticated('bad user name or password')
      : { ok: true, caller: { who: `user ${name}`, role } };
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) return unauthenticated('the Authorization header is neither "Basic …" nor "Bearer …"');
  const verified = await auth.verifyToken(token);
  if (!verified.ok) {
    return verified.error.kind === 'unavailable'
      ? { ok: false, problem: { kind: 'authentication-unavailable' } }
      : unauthenticated(verified.error.detail);
  }
  return { ok: true, caller: { who: `token ${verified.value.sub}`, role: registryRoleOfToken(verified.value) } };
}

function refuse(reply: FastifyReply, problem: RegistryProblem): FastifyReply {
  const { httpStatus, body } = toErrorResponse(problem);
  if (problem.kind === 'unauthenticated') void reply.header('www-authenticate', CHALLENGES);
  if (problem.kind === 'authentication-unavailable') void reply.header('retry-after', '5');
  return reply.code(httpStatus).send(body);
}

/** Attaches each route's permission as it is added; a route the table does not know is a build error. */
function attachPermission(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    const permission = permissionOf(method, route.url);
    if (permission === undefined)
      throw new Error(`registry route ${method} ${route.url} has no permission: add it to registry/registryRoles.ts`);
    route.config = { ...(route.config ?? {}), registryPermission: permission };
  }
}

/** Registers the hooks; call before the routes are added. */
export function registerRegistryAuth(app: RegistryApp, auth: RegistryAuth): void {
  app.addHook('onRoute', attachPermission);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Undefined for a path with no route: the caller still has to authenticate before learning that.
    const permission = request.routeOptions.config.registryPermission;
    if (permission === 'anonymous') return;
    const authenticated = await authenticate(request.headers.authorization, auth);
    if (!authenticated.ok) {
      if (authenticated.problem.kind === 'authentication-unavailable')
        request.log.warn('registry credentials not checked: the token issuer keys cannot be read');
      return refuse(reply, authenticated.problem);
    }
    const { who, role } = authenticated.caller;
    if (permission === undefined) return;
    if (role !== undefined && mayDo(role, permission)) return;
    request.log.info(
      { caller: who, role: role ?? null, method: request.method, route: request.routeOptions.url },
      'registry request refused: role may not',
    );
    return refuse(reply, {
      kind: 'forbidden',
      who,
      role: role ?? 'none (the token carries no project role)',
      operation: permissionWording[permission],
    });
  });
}
