/**
 * Builds the registry's fastify app on a pool the caller owns: credentials and roles checked
 * before anything else (registryAuth.ts), Confluent content types in and out, every failure
 * answered as `{error_code, message}`, never a bare 500. Listening is the
 * caller's job (registryServer.ts, or tests). I/O.
 */
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { CompatibilityLevel } from './compatibilityLevel.js';
import { type RegistryAuth, registerRegistryAuth } from './registryAuth.js';
import { type RegistryProblem, toErrorResponse } from './registryErrors.js';
import { registryRoutes } from './registryRoutes.js';
import { createSchemaRegistry, RegistryStoreError } from './schemaRegistry.js';

/** What every response carries, as Confluent's registry does. */
export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Request bodies Confluent accepts; all are read as JSON. A request without a content type counts as the last. */
const ACCEPTED_CONTENT_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
];

export type RegistryAppDeps = {
  readonly pool: Pool;
  readonly logger: Logger;
  /** Who may call: every route but `GET /` needs credentials (registryAuth.ts). */
  readonly auth: RegistryAuth;
  /** The global compatibility level until one is set (`PUT /config`); BACKWARD, as Confluent, unless given. */
  readonly defaultCompatibility?: CompatibilityLevel;
};
export type RegistryApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

class MalformedJsonError extends Error {
  constructor(options: ErrorOptions) {
    super(
      `Unrecognized JSON body: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
    this.name = 'MalformedJsonError';
  }
}

class UnsupportedMediaTypeError extends Error {
  constructor(readonly contentType: string) {
    super(`unsupported request content type ${contentType}`);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export function buildRegistryApp(deps: RegistryAppDeps): RegistryApp {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'schema-registry' }),
    logController: new LogController({ disableRequestLogging: true }),
    // Subjects are long (`<ns>.clinical-events-<strategy>.<record>`) and may arrive with a trailing slash.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    bodyLimit: 4 * 1024 * 1024,
  });

  // The server may close an idle connection (restart, failover, a dropped database); the pool
  // discards it, and without a listener its 'error' event would end the process.
  deps.pool.on('error', (error) => {
    app.log.warn({ err: error }, 'idle PostgreSQL connection lost; the pool will open another');
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(ACCEPTED_CONTENT_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    parseJsonBody(String(body), done);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const contentType = request.headers['content-type'];
    if (contentType !== undefined) done(new UnsupportedMediaTypeError(contentType));
    else parseJsonBody(String(body), done);
  });

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-type', REGISTRY_CONTENT_TYPE);
  });
  registerRegistryAuth(app, deps.auth);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = problemOf(error, request.headers['content-type']);
    if (problem.kind === 'store-error' || problem.kind === 'internal-error') {
      request.log.error(
        { err: error, method: request.method, route: request.routeOptions.url },
        'registry request failed',
      );
    }
    const { httpStatus, body } = toErrorResponse(problem);
    void reply.code(httpStatus).header('content-type', REGISTRY_CONTENT_TYPE).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const { httpStatus, body } = toErrorResponse({
      kind: 'route-not-found',
      method: request.method,
      path: request.url.split('?')[0] ?? '',
    });
    void reply.code(httpStatus).header('content-type', REGISTRY_CONTENT_TYPE).send(body);
  });

  void app.register(registryRoutes, {
    registry: createSchemaRegistry(
      deps.pool,
      deps.defaultCompatibility === undefined ? {} : { defaultLevel: deps.defaultCompatibility },
    ),
  });
  return app;
}

function parseJsonBody(body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.trim() === '') {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(body));
  } catch (error) {
    done(new MalformedJsonError({ cause: error }));
  }
}

function problemOf(error: FastifyError, contentType: string | undefined): RegistryProblem {
  if (error instanceof MalformedJsonError) return { kind: 'malformed-request', reason: error.message };
  if (error instanceof UnsupportedMediaTypeError)
    return { kind: 'unsupported-media-type', contentType: error.contentType };
  if (error instanceof RegistryStoreError) return { kind: 'store-error' };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { kind: 'unsupported-media-type', contentType: contentType ?? '' };
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { kind: 'request-too-large' };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { kind: 'malformed-request', reason: error.message };
  return { kind: 'internal-error' };
}
