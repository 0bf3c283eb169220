/**
 * The one way an HTTP route answers a problem: `replyProblem` sends a core/problemDetails.ts
 * Problem in a representation (problem+json unless told otherwise), and `problemErrorHandler`
 * turns any error fastify or a route throws into one, never a bare 500 with a stack. I/O (the reply).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Problem, type ProblemRenderer, problemJson } from '../core/problemDetails.js';
import { isTransientPgError } from './postgres.js';

export function replyProblem(
  reply: FastifyReply,
  problem: Problem,
  render: ProblemRenderer = problemJson,
): FastifyReply {
  const { contentType, body } = render(problem);
  if (problem.retryAfterSeconds !== undefined) void reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply.status(problem.status).type(contentType).send(body);
}

/** fastify's own client errors, by status, under our codes: its `FST_ERR_…` codes are not part of the contract. */
const clientErrorCodes: Readonly<Record<number, string>> = {
  404: 'CEL_ERR_NOT_FOUND',
  413: 'CEL_ERR_PAYLOAD_TOO_LARGE',
  415: 'CEL_ERR_UNSUPPORTED_MEDIA_TYPE',
};

type ValidationFault = {
  readonly instancePath?: string;
  readonly params?: { readonly missingProperty?: unknown; readonly additionalProperty?: unknown };
};

/** The JSON pointer of the parameter a schema validation failed on: `/limit`, `/eventId`, `/headers/idempotency-key`. */
export function locationOfValidation(
  context: string | undefined,
  fault: ValidationFault | undefined,
): string | undefined {
  if (fault === undefined) return undefined;
  const child = fault.params?.missingProperty ?? fault.params?.additionalProperty;
  const path = `${fault.instancePath ?? ''}${typeof child === 'string' ? `/${child}` : ''}`;
  if (path === '') return undefined;
  if (context === 'headers') return `/headers${path}`;
  if (context === 'body') return `/body${path}`;
  return path; // querystring and path parameters are named by their name alone, as the routes' own refusals do
}

/** The error handler for a scope, answering in `render`'s representation. */
export function problemErrorHandler(render: ProblemRenderer = problemJson) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const correlationId = String(request.id);
    if (isTransientPgError(error)) {
      // The database lost or unreachable for a moment: a retry is expected to work.
      request.log.warn({ err: error }, 'request failed: database unavailable');
      void replyProblem(
        reply,
        {
          status: 503,
          code: 'CEL_ERR_DATABASE_UNAVAILABLE',
          title: 'Unavailable',
          detail: 'the database is unavailable for the moment; retry shortly',
          correlationId,
          retryAfterSeconds: 2,
        },
        render,
      );
      return;
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const [fault] = (error.validation ?? []) as readonly ValidationFault[];
    void replyProblem(
      reply,
      {
        status,
        code: status >= 500 ? 'CEL_ERR_INTERNAL' : (clientErrorCodes[status] ?? 'CEL_ERR_BAD_REQUEST'),
        title: status >= 500 ? 'Internal error' : 'Bad request',
        detail: status >= 500 ? 'the request could not be completed; it is safe to retry' : error.message,
        location: locationOfValidation(error.validationContext, fault),
        correlationId,
      },
      render,
    );
  };
}
