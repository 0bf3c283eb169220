/**
 * The HTTP API: ingest (FHIR, JSON), operator endpoints and health, one fastify plugin per
 * resource, sharing the root logger. The correlation id comes from `X-Correlation-Id` (or is
 * made) and is returned on every response. I/O.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { jsonRoutes } from '../producers/json/jsonRoutes.js';
import { adminRoutes } from './adminRoutes.js';
import { type HealthChecks, healthRoutes } from './healthRoutes.js';
import { registerProblemHandler } from './problemDetails.js';

export type ApiDeps = {
  readonly logger: Logger;
  readonly pool: Pool;
  readonly ingest: IngestService;
  readonly checks: HealthChecks;
  readonly clock: () => Date;
  /** Further plugins (FHIR routes, views) registered by the composition. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
};

const CORRELATION_HEADER = 'x-correlation-id';

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'http' }),
    requestIdHeader: CORRELATION_HEADER,
    genReqId: () => randomUUID(),
    bodyLimit: 4 * 1024 * 1024,
    disableRequestLogging: false,
  }) as unknown as FastifyInstance;
  app.addHook('onSend', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, String(request.id));
  });
  registerProblemHandler(app);
  await app.register(healthRoutes, { checks: deps.checks });
  await app.register(adminRoutes, { pool: deps.pool, ingest: deps.ingest });
  await app.register(jsonRoutes, { ingest: deps.ingest, clock: deps.clock });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}
