/**
 * The API's problem answers: the fastify error and not-found handlers, and the two refusals
 * every route makes (400 naming the parameter, 404 naming what is unknown), all through the
 * one `replyProblem` (platform/replyProblem.ts) with bodies from core/problemDetails.ts. I/O (the reply).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problemErrorHandler, replyProblem } from '../platform/replyProblem.js';

/** What a route refuses, and where: `location` is the JSON pointer of the parameter at fault. */
export type Refusal = { readonly code: string; readonly detail: string; readonly location?: string | undefined };

/** Answers 400 with a problem body naming the parameter at fault. */
export const replyBadRequest = (reply: FastifyReply, correlationId: string, refusal: Refusal): FastifyReply =>
  replyProblem(reply, { status: 400, title: 'Bad request', ...refusal, correlationId });

/** Answers 404 with a problem body saying what is unknown. */
export const replyNotFound = (
  reply: FastifyReply,
  correlationId: string,
  unknown: { readonly code: string; readonly title: string; readonly detail: string },
): FastifyReply => replyProblem(reply, { status: 404, ...unknown, correlationId });

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler(problemErrorHandler());
  app.setNotFoundHandler((request, reply) =>
    replyNotFound(reply, String(request.id), {
      code: 'CEL_ERR_NOT_FOUND',
      title: 'Not found',
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
