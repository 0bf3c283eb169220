/**
 * application/problem+json bodies (RFC 9457) for the project's HTTP answers, and the fastify
 * error handler that turns any unhandled error into one — never a bare 500 with a stack. Pure
 * except the handler registration.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isTransientPgError } from '../platform/postgres.js';

export type ProblemDetails = {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly location?: string;
  readonly correlationId: string;
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(options: {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly correlationId: string;
  readonly location?: string | undefined;
}): ProblemDetails {
  return {
    type: `https://clinical-event-log.example/problems/${options.code.toLowerCase()}`,
    title: options.title,
    status: options.status,
    detail: options.detail,
    code: options.code,
    ...(options.location === undefined ? {} : { location: options.location }),
    correlationId: options.correlationId,
  };
}

/** What a route refuses, and where: `location` is the JSON pointer of the parameter at fault. */
export type Refusal = { readonly code: string; readonly detail: string; readonly location?: string | undefined };

/** Answers 400 with a problem body naming the parameter at fault. */
export function replyBadRequest(reply: FastifyReply, correlationId: string, refusal: Refusal): FastifyReply {
  return reply
    .status(400)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem({ status: 400, title: 'Bad request', ...refusal, correlationId }));
}

/** Answers 404 with a problem body saying what is unknown. */
export function replyNotFound(
  reply: FastifyReply,
  correlationId: string,
  unknown: { readonly code: string; readonly title: string; readonly detail: string },
): FastifyReply {
  return reply
    .status(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem({ status: 404, ...unknown, correlationId }));
}

/** fastify's own client errors, by status, under our codes: its `FST_ERR_…` codes are not part of the contract. */
const clientErrorCodes: Readonly<Record<number, string>> = {
  404: 'CEL_ERR_NOT_FOUND',
  413: 'CEL_ERR_PAYLOAD_TOO_LARGE',
  415: 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE',
};

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isTransientPgError(error)) {
      // The database lost or unreachable for a moment: a retry is expected to work.
      request.log.warn({ err: error }, 'request failed: database unavailable');
      const body = problem({
        status: 503,
        code: 'CEL_ERR_DATABASE_UNAVAILABLE',
        title: 'Unavailable',
        detail: 'the database is unavailable for the moment; retry shortly',
        correlationId: String(request.id),
      });
      void reply.status(503).header('retry-after', '2').type(PROBLEM_CONTENT_TYPE).send(body);
      return;
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const body = problem({
      status,
      code: status >= 500 ? 'CEL_ERR_INTERNAL' : (clientErrorCodes[status] ?? 'CEL_ERR_BAD_REQUEST'),
      title: status >= 500 ? 'Internal error' : 'Bad request',
      detail: status >= 500 ? 'the request could not be completed; it is safe to retry' : error.message,
      correlationId: String(request.id),
    });
    void reply.status(status).type(PROBLEM_CONTENT_TYPE).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        problem({
          status: 404,
          code: 'CEL_ERR_NOT_FOUND',
          title: 'Not found',
          detail: `no route ${request.method} ${request.url.split('?')[0]}`,
          correlationId: String(request.id),
        }),
      );
  });
}
