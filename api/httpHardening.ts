/**
 * The HTTP surface's defences, registered before any route (buildApi.ts), in this order:
 * - security headers on every response (@fastify/helmet): a CSP for JSON, `default-src 'none';
 *   frame-ancestors 'none'`, `X-Frame-Options: DENY`, `nosniff`, HSTS (helmet's default; only
 *   heeded over TLS) … A route that serves a page sets its own CSP in its route options:
 *   `{ helmet: { contentSecurityPolicy: { useDefaults: false, directives: { … } } } }`
 *   (`helmet: false` drops the headers for that route);
 * - the Host allow-list (`HTTP_ALLOWED_HOSTS`): a request naming another host is answered 421
 *   before the correlation id or the token is looked at;
 * - per-route body limits: ingest routes keep the server's (4 MiB), every other route gets
 *   SMALL_BODY_LIMIT unless it sets its own `bodyLimit` (so a new route is small by default);
 * - per-client rate limits (@fastify/rate-limit's store): `HTTP_RATE_LIMIT` requests per
 *   `HTTP_RATE_LIMIT_WINDOW_SECONDS`, counted in `preParsing`, after the token is verified
 *   (onRequest) and before the body is read: per verified caller (`sub|clientId`) when there is
 *   one, else per remote address. `GET /health` has its own budget, so a client that spent its
 *   budget, or a probe, still sees liveness. 429 with `Retry-After` and `CEL_ERR_RATE_LIMITED`
 *   (an OperationOutcome under /fhir). Requests refused before (421, 401, 403) are not counted;
 * - `Cache-Control: no-store` and `Pragma: no-cache` on patient-data reads, admin routes and
 *   every error answer.
 * Nothing here reads the client's correlation id. I/O (fastify hooks).
 */
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ruleOf } from '../auth/accessPolicy.js';
import type { Problem } from '../core/problemDetails.js';
import { replyProblem } from '../platform/replyProblem.js';
import { operationOutcomeOf } from '../producers/fhir/fhirRoutes.js';
import { type HostAndPort, isHostAllowed, parseHost } from './allowedHosts.js';

export type HttpHardening = {
  /** HTTP_RATE_LIMIT: requests one client may make per window. */
  readonly rateLimit: number;
  /** HTTP_RATE_LIMIT_WINDOW_SECONDS: the window the limit counts in. */
  readonly rateLimitWindowSeconds: number;
  /** HTTP_ALLOWED_HOSTS: the `Host` values answered (`name` takes any port, `name:port` that one), or any. */
  readonly allowedHosts: readonly string[] | 'any';
};

/** What the API runs with when the composition gives nothing: generous enough that no suite or benchmark meets the limit. */
export const defaultHardening: HttpHardening = Object.freeze({
  rateLimit: 6000,
  rateLimitWindowSeconds: 60,
  allowedHosts: 'any',
});

/** The body limit of every route that is not an ingest route and does not set its own. */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** The CSP of a JSON answer: it loads nothing and is framed by no one. */
export const JSON_CONTENT_SECURITY_POLICY = Object.freeze({
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
});

/** The route whose rate budget is kept apart from the rest. */
const LIVENESS_ROUTE = '/health';

const renderFor = (request: FastifyRequest) => (request.url.startsWith('/fhir') ? operationOutcomeOf : undefined);

const refuse = (request: FastifyRequest, reply: FastifyReply, problem: Omit<Problem, 'correlationId'>) =>
  replyProblem(reply, { ...problem, correlationId: String(request.id) }, renderFor(request));

/** The rate-limit key: the verified caller when there is one, else the remote address. */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal === undefined ? normalizeIP(request.ip) : `${principal.sub}|${principal.clientId}`;
}

/** Ingest routes keep the server's body limit; any other route without its own gets SMALL_BODY_LIMIT. */
export function limitBody(route: RouteOptions): void {
  if (route.bodyLimit !== undefined) return;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const ingest = methods.some((method) => {
    const rule = ruleOf(method === 'HEAD' ? 'GET' : method, route.url);
    return rule?.access === 'token' && rule.kind === 'ingest';
  });
  if (!ingest) route.bodyLimit = SMALL_BODY_LIMIT;
}

function parseAllowed(entries: readonly string[]): readonly HostAndPort[] {
  return entries.map((entry) => {
    const host = parseHost(entry);
    if (host === undefined) throw new Error(`HTTP_ALLOWED_HOSTS entry "${entry}" is not a host name or host:port`);
    return host;
  });
}

export async function registerHardening(app: FastifyInstance, options: HttpHardening): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: JSON_CONTENT_SECURITY_POLICY,
    frameguard: { action: 'deny' },
  });

  if (options.allowedHosts !== 'any') {
    const allowed = parseAllowed(options.allowedHosts);
    app.addHook('onRequest', async (request, reply) => {
      if (isHostAllowed(allowed, request.host)) return;
      return refuse(request, reply, {
        status: 421,
        code: 'CEL_ERR_MISDIRECTED',
        title: 'Misdirected request',
        detail: 'this server does not answer for the host named in the Host header',
      });
    });
  }

  app.addHook('onRoute', limitBody);

  await app.register(rateLimit, { global: false });
  const budget = {
    max: options.rateLimit,
    timeWindow: options.rateLimitWindowSeconds * 1000,
    keyGenerator: rateLimitKey,
  };
  const general = app.createRateLimit(budget);
  const liveness = app.createRateLimit(budget);
  app.addHook('preParsing', async (request, reply) => {
    const limit = request.routeOptions.url === LIVENESS_ROUTE ? liveness : general;
    const outcome = await limit(request);
    if (outcome.isAllowed) return;
    void reply.header('x-ratelimit-limit', String(outcome.max));
    void reply.header('x-ratelimit-remaining', String(outcome.remaining));
    void reply.header('x-ratelimit-reset', String(outcome.ttlInSeconds));
    if (!outcome.isExceeded) return;
    request.log.info({ limit: outcome.max }, 'rate limit reached');
    return refuse(request, reply, {
      status: 429,
      code: 'CEL_ERR_RATE_LIMITED',
      title: 'Too many requests',
      detail: `more than ${outcome.max} requests in ${options.rateLimitWindowSeconds} s from this client; retry after Retry-After seconds`,
      retryAfterSeconds: Math.max(1, outcome.ttlInSeconds),
    });
  });

  app.addHook('onSend', async (request, reply) => {
    const rule = request.routeOptions.config.access;
    const sensitive = rule?.access === 'token' && (rule.kind === 'read' || rule.kind === 'admin');
    if (!sensitive && reply.statusCode < 400) return;
    void reply.header('cache-control', 'no-store');
    void reply.header('pragma', 'no-cache');
  });
}
