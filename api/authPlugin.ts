/**
 * The trust boundary of the HTTP API. Every route must have a rule in auth/accessPolicy.ts
 * (a route without one stops the build). Each request's bearer token is verified
 * (auth/verifyToken.ts) and the rule applied (auth/authorizeRequest.ts) before anything else
 * runs: 401 with `WWW-Authenticate: Bearer` for a missing or bad token, 403 naming what is
 * missing for a valid one, 503 when the issuer's keys cannot be read (never an unchecked
 * request). Under /fhir the answer is an OperationOutcome. The verified caller is
 * `request.principal`; routes that learn the patient only from the record call
 * `mayReadPatient`. With the development issuer, its discovery document, JWKS and sign-in
 * (authorization code + PKCE: auth/devIssuerAuthorizeRoutes.ts) are served here. I/O.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type RouteRule, ruleOf } from '../auth/accessPolicy.js';
import type { AuthConfig } from '../auth/authConfig.js';
import { authorizeRequest, mayReadPatient } from '../auth/authorizeRequest.js';
import {
  DEV_ISSUER,
  type DevSigningKey,
  devDiscoveryDocument,
  devJwks,
  loadOrCreateDevKey,
} from '../auth/devIssuer.js';
import { devIssuerAuthorizeRoutes } from '../auth/devIssuerAuthorizeRoutes.js';
import type { Principal } from '../auth/principal.js';
import { createTokenVerifier, type TokenVerifier } from '../auth/verifyToken.js';
import type { Problem } from '../core/problemDetails.js';
import { replyProblem } from '../platform/replyProblem.js';
import { operationOutcomeOf } from '../producers/fhir/fhirRoutes.js';
import { type RecordAccess, registerAccessRecording } from './accessRecording.js';
import { type ConsoleClient, DEFAULT_CONSOLE_CLIENT_ID } from './consoleRoutes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rule from auth/accessPolicy.ts, attached when the route is added. */
    access?: RouteRule;
  }
  interface FastifyRequest {
    /** The verified caller; undefined on an anonymous route called without a token. */
    principal: Principal | undefined;
  }
}

/** Which tokens the API trusts. */
export type TokenTrust = {
  readonly verify: TokenVerifier;
  /** `realm` of `WWW-Authenticate`. */
  readonly realm: string;
  /** Who the console at /console signs in with (api/consoleRoutes.ts); the development issuer when absent. */
  readonly console?: ConsoleClient;
  /** The development issuer's public documents, served anonymously when it is the issuer. */
  readonly devIssuer?: {
    readonly jwks: unknown;
    readonly discovery: (baseUrl: string) => unknown;
    /** Its key and the audience of its tokens: with them it also signs in browsers (authorization code + PKCE). */
    readonly signIn?: { readonly key: DevSigningKey; readonly audience: string };
  };
};

export type AuthOptions = TokenTrust & {
  /** Writes one access record; resolves once it is kept (accessRecording.ts). */
  readonly recordAccess: RecordAccess;
  readonly clock: () => Date;
};

export const AUTH_REALM = 'clinical-event-log';

/**
 * For routes that learn the patient from the record (`resolved` in the policy): 403 unless the
 * caller's token may read every one of these patients. Returns the reply when it refused.
 */
export function refuseUnlessMayRead(
  request: FastifyRequest,
  reply: FastifyReply,
  nhsNumbers: readonly string[],
): FastifyReply | undefined {
  const principal = request.principal;
  if (principal === undefined || nhsNumbers.every((nhs) => mayReadPatient(principal, nhs))) return undefined;
  return replyProblem(reply, {
    status: 403,
    code: 'CEL_ERR_FORBIDDEN',
    title: 'Forbidden',
    detail: "this token is bound to one patient and reaches only that patient's records",
    correlationId: String(request.id),
  });
}

/** The verifier and documents for the configured issuer: an OIDC provider, or the development issuer (its key made if missing). */
export async function authFromConfig(
  auth: AuthConfig & { readonly consoleClientId?: string },
  localStackDir: string,
): Promise<TokenTrust> {
  const clientId = auth.consoleClientId ?? DEFAULT_CONSOLE_CLIENT_ID;
  if (auth.mode === 'oidc') {
    return {
      realm: AUTH_REALM,
      // The provider's endpoints come from its discovery document; the console connects to its origin.
      console: {
        issuer: auth.issuer,
        discoveryUrl: `${auth.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
        clientId,
        scope: 'openid',
        ...(URL.canParse(auth.issuer) ? { issuerOrigin: new URL(auth.issuer).origin } : {}),
      },
      verify: createTokenVerifier({
        issuer: auth.issuer,
        audience: auth.audience,
        keys: { jwksUrl: auth.jwksUrl },
        algorithms: auth.algorithms,
        clockSkewSeconds: auth.clockSkewSeconds,
      }),
    };
  }
  const key = await loadOrCreateDevKey(localStackDir);
  const jwks = devJwks(key);
  return {
    realm: AUTH_REALM,
    verify: createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: auth.audience,
      keys: { jwks },
      algorithms: auth.algorithms,
      clockSkewSeconds: auth.clockSkewSeconds,
    }),
    console: { issuer: DEV_ISSUER, discoveryUrl: '/.well-known/openid-configuration', clientId, scope: 'openid' },
    devIssuer: { jwks, discovery: devDiscoveryDocument, signIn: { key, audience: auth.audience } },
  };
}

/** Attaches each route's rule as it is added; a route the policy does not know is a build error. */
export function attachAccessRule(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    const rule = ruleOf(method === 'HEAD' ? 'GET' : method, route.url);
    if (rule === undefined)
      throw new Error(`route ${method} ${route.url} has no access rule: add it to auth/accessPolicy.ts`);
    route.config = { ...(route.config ?? {}), access: rule };
  }
}

/** Why the caller reads, when its token does not say (HL7 v3 PurposeOfUse, e.g. TREAT, ETREAT). */
export const PURPOSE_HEADER = 'x-purpose-of-use';
const PURPOSE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i;

const quoted = (text: string) => `"${text.replace(/["\\]/g, "'")}"`;

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: Omit<Problem, 'correlationId'>,
  challenge: string | undefined,
): FastifyReply {
  if (challenge !== undefined) void reply.header('www-authenticate', challenge);
  const render = request.url.startsWith('/fhir') ? operationOutcomeOf : undefined;
  return replyProblem(reply, { ...problem, correlationId: String(request.id) }, render);
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', attachAccessRule);
  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config.access;
    if (rule === undefined) return; // no such route: the 404 says nothing
    const header = request.headers.authorization;
    if (header === undefined) {
      if (rule.access === 'anonymous') return;
      return refuse(
        request,
        reply,
        {
          status: 401,
          code: 'CEL_ERR_UNAUTHENTICATED',
          title: 'Unauthenticated',
          detail: 'this route needs a bearer token (Authorization: Bearer …)',
        },
        `Bearer realm=${quoted(options.realm)}`,
      );
    }
    const token = BEARER.exec(header)?.[1];
    const verified = token === undefined ? undefined : await options.verify(token);
    if (verified === undefined || !verified.ok) {
      if (verified?.ok === false && verified.error.kind === 'unavailable') {
        request.log.warn('token not checked: the issuer keys cannot be read');
        return refuse(
          request,
          reply,
          {
            status: 503,
            code: 'CEL_ERR_AUTH_UNAVAILABLE',
            title: 'Unavailable',
            detail: `${verified.error.detail}; retry shortly`,
            retryAfterSeconds: 5,
          },
          undefined,
        );
      }
      const detail =
        verified === undefined ? 'the Authorization header is not "Bearer <token>"' : verified.error.detail;
      return refuse(
        request,
        reply,
        { status: 401, code: 'CEL_ERR_UNAUTHENTICATED', title: 'Unauthenticated', detail },
        `Bearer realm=${quoted(options.realm)}, error="invalid_token", error_description=${quoted(detail)}`,
      );
    }
    const purposeHeader = request.headers[PURPOSE_HEADER];
    if (purposeHeader !== undefined && (typeof purposeHeader !== 'string' || !PURPOSE.test(purposeHeader))) {
      return refuse(
        request,
        reply,
        {
          status: 400,
          code: 'CEL_ERR_BAD_REQUEST',
          title: 'Bad request',
          detail: `${PURPOSE_HEADER} must be one purpose-of-use code (letters, digits, "_", "-", "."; at most 64)`,
          location: `/headers/${PURPOSE_HEADER}`,
        },
        undefined,
      );
    }
    // A purpose the token asserts stands; otherwise the caller may say why it reads (else the role's default).
    request.principal =
      purposeHeader !== undefined && !verified.value.purposeOfUseClaimed
        ? { ...verified.value, purposeOfUse: purposeHeader }
        : verified.value;
    if (rule.access === 'anonymous') return;
    const decision = authorizeRequest(rule, request.principal, {
      params: request.params as Readonly<Record<string, unknown>>,
      query: request.query as Readonly<Record<string, unknown>>,
    });
    if (decision.allowed) return;
    const { refusal } = decision;
    return refuse(
      request,
      reply,
      { status: 403, code: 'CEL_ERR_FORBIDDEN', title: 'Forbidden', detail: refusal.detail },
      `Bearer realm=${quoted(options.realm)}, error="insufficient_scope"${refusal.scope === undefined ? '' : `, scope=${quoted(refusal.scope)}`}`,
    );
  });
  registerAccessRecording(app, { record: options.recordAccess, clock: options.clock });
  const devIssuer = options.devIssuer;
  if (devIssuer !== undefined) {
    app.get('/.well-known/jwks.json', { schema: { hide: true } }, async () => devIssuer.jwks);
    app.get('/.well-known/openid-configuration', { schema: { hide: true } }, async (request) =>
      devIssuer.discovery(`${request.protocol}://${request.host}`),
    );
    if (devIssuer.signIn !== undefined)
      void app.register(devIssuerAuthorizeRoutes, { ...devIssuer.signIn, clock: options.clock });
  }
}
