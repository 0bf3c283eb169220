/**
 * The API's problem answers: the fastify error and not-found handlers, and the two refusals
 * every route makes (400 naming the parameter, 404 naming what is unknown), all through the
 * one `replyProblem` (platform/replyProblem.ts) with bodies from core/problemDetails.ts. Under
 * /fhir every one of them is an OperationOutcome, and a FHIR path asked with a method it does
 * not serve is 405 with `Allow` (fhirEndpoints.ts names the methods). I/O (the reply).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemRenderer } from '../core/problemDetails.js';
import { problemErrorHandler, replyProblem } from '../platform/replyProblem.js';
import { isFhirPath, methodsAt } from '../producers/fhir/fhirEndpoints.js';
import { operationOutcomeOf } from '../producers/fhir/fhirRoutes.js';

/** What a route refuses, and where: `location` is the JSON pointer of the parameter at fault. */
export type Refusal = { readonly code: string; readonly detail: string; readonly location?: string | undefined };

/** The representation of a request's problems: an OperationOutcome under /fhir, else problem+json (the default). */
export const problemRendererFor = (request: FastifyRequest): ProblemRenderer | undefined =>
  isFhirPath(request.url) ? operationOutcomeOf : undefined;

/** Answers 400 with a problem body naming the parameter at fault. */
export const replyBadRequest = (reply: FastifyReply, correlationId: string, refusal: Refusal): FastifyReply =>
  replyProblem(
    reply,
    { status: 400, title: 'Bad request', ...refusal, correlationId },
    problemRendererFor(reply.request),
  );

/** Answers 404 with a problem body saying what is unknown. */
export const replyNotFound = (
  reply: FastifyReply,
  correlationId: string,
  unknown: { readonly code: string; readonly title: string; readonly detail: string },
): FastifyReply => replyProblem(reply, { status: 404, ...unknown, correlationId }, problemRendererFor(reply.request));

export function registerProblemHandler(app: FastifyInstance): void {
  const json = problemErrorHandler();
  const fhir = problemErrorHandler(operationOutcomeOf);
  app.setErrorHandler((error: FastifyError, request, reply) =>
    isFhirPath(request.url) ? fhir(error, request, reply) : json(error, request, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = isFhirPath(path) ? methodsAt(path) : [];
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return replyProblem(
        reply,
        {
          status: 405,
          code: 'CEL_ERR_METHOD_NOT_ALLOWED',
          title: 'Method not allowed',
          detail: `${path} does not take ${request.method}; it takes ${allowed.join(', ')}`,
          correlationId: String(request.id),
        },
        operationOutcomeOf,
      );
    }
    return replyNotFound(reply, String(request.id), {
      code: 'CEL_ERR_NOT_FOUND',
      title: 'Not found',
      detail: `no route ${request.method} ${path}`,
    });
  });
}
