/**
 * The HTTP API: ingest (FHIR, JSON), operator endpoints and health, one fastify plugin per
 * resource, sharing the root logger. The correlation id comes from `X-Correlation-Id` (or is
 * made; an unusable one is refused with 400) and is returned on every response. Query
 * parameters a route does not declare are refused (outside /fhir). I/O.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { countDeadLetters } from '../consumers/deadLetters.js';
import { createMetrics } from '../observability/metrics.js';
import type { EventCodec } from '../platform/eventCodec.js';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import { replyProblem } from '../platform/replyProblem.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { jsonRoutes } from '../producers/json/jsonRoutes.js';
import type { LogSource } from '../replay/readWindow.js';
import { adminRoutes } from './adminRoutes.js';
import { auditRoutes } from './auditRoutes.js';
import { type AuthOptions, registerAuth } from './authPlugin.js';
import { consoleRoutes, devConsoleClient } from './consoleRoutes.js';
import { CORRELATION_HEADER, readCorrelationIdHeader } from './correlationIdHeader.js';
import { type HealthChecks, type HealthDetails, healthRoutes } from './healthRoutes.js';
import { defaultHardening, type HttpHardening, registerHardening } from './httpHardening.js';
import { type MetricsAccess, metricsRoutes, registerScrapeAccess } from './metricsRoutes.js';
import { registerApiDocs } from './openApiDocs.js';
import { registerProblemHandler, replyBadRequest } from './problemDetails.js';
import { replayRoutes } from './replayRoutes.js';
import { strictParameters } from './strictParameters.js';
import { registerTracingHooks } from './tracingHooks.js';
import { viewRoutes } from './viewRoutes.js';

export type ApiDeps = {
  readonly logger: Logger;
  readonly pool: Pool;
  readonly ingest: IngestService;
  readonly checks: HealthChecks;
  /** Who may call what: the token verifier (and the development issuer's documents). */
  readonly auth: AuthOptions;
  /** Security headers, the Host allow-list, body and rate limits (api/httpHardening.ts); its defaults when absent. */
  readonly hardening?: HttpHardening;
  readonly details?: HealthDetails;
  readonly clock: () => Date;
  /** The canonical log, for window replays (GET /replay/events); the route is served only with it. */
  readonly replay?: LogSource;
  /** The canonical events' codec, to re-drive dead letters (POST /admin/dead-letters/{id}/redrive); served only with it. */
  readonly eventCodec?: EventCodec;
  /** The service's metrics and the static scrape token for GET /metrics; a registry of its own when absent. */
  readonly metrics?: MetricsAccess;
  /** Further plugins (FHIR routes, views) registered by the composition. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
};

const MAX_PATH_PARAMETER = 1000;

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Request lines carry the path without NHS numbers and never the query: patient
    // identifiers stay out of info-level logs.
    loggerInstance: deps.logger.child(
      { module: 'http' },
      {
        serializers: {
          req: (req: { method?: string; url?: string }) => ({
            method: req.method,
            url: (req.url ?? '').split('?')[0]?.replace(/\d{10}/g, '[nhs-number]'),
          }),
        },
      },
    ),
    // The header is checked here and refused in onRequest: fastify would take any value as the id.
    requestIdHeader: false,
    genReqId: (request) => {
      const id = readCorrelationIdHeader(request.headers[CORRELATION_HEADER]);
      return typeof id === 'string' ? id : randomUUID();
    },
    bodyLimit: 4 * 1024 * 1024,
    // Path ids longer than their schemas allow reach the schemas (which name them) up to this length.
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER },
    // The router's own refusals, before any route: a path that is not percent-encoding, or a segment over the limit.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void replyProblem(reply, {
        status: tooLong ? 414 : 400,
        code: tooLong ? 'CEL_ERR_PATH_TOO_LONG' : 'CEL_ERR_BAD_REQUEST',
        title: tooLong ? 'URI too long' : 'Bad request',
        detail: tooLong
          ? `a path parameter is longer than ${MAX_PATH_PARAMETER} characters`
          : 'the path is not valid percent-encoding',
        correlationId: String(request.id),
      });
    },
    // A parameter a route does not declare is an error (strictQueryParameters), not dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  app.addHook('onRoute', strictParameters);
  registerTracingHooks(app); // before any hook that can answer, so its refusals have a span too
  // First: its headers go on every answer, and a request for another host is refused before anything else.
  await registerHardening(app, deps.hardening ?? defaultHardening);
  app.addHook('onRequest', async (request, reply) => {
    const id = readCorrelationIdHeader(request.headers[CORRELATION_HEADER]);
    if (id !== undefined && typeof id !== 'string') return replyBadRequest(reply, String(request.id), id);
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, String(request.id));
  });
  // Before the token check: a scrape with the static token, or from loopback, is answered here.
  const metrics = deps.metrics ?? { metrics: createMetrics({ defaultMetrics: false }) };
  registerScrapeAccess(app, metrics);
  registerAuth(app, deps.auth);
  registerProblemHandler(app);
  // /openapi.json's generator (before any route) and the reference page at /docs.
  await registerApiDocs(app);
  await app.register(healthRoutes, {
    checks: deps.checks,
    ...(deps.details ? { details: deps.details } : {}),
    deadLetters: () => countDeadLetters(deps.pool),
  });
  await app.register(metricsRoutes, { metrics: metrics.metrics });
  await app.register(consoleRoutes, { client: deps.auth.console ?? devConsoleClient });
  await app.register(viewRoutes, { pool: deps.pool });
  await app.register(auditRoutes, { pool: deps.pool });
  await app.register(adminRoutes, { pool: deps.pool, ingest: deps.ingest, codec: deps.eventCodec });
  await app.register(jsonRoutes, { ingest: deps.ingest, clock: deps.clock });
  if (deps.replay !== undefined) await app.register(replayRoutes, { source: deps.replay });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
