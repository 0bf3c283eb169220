/**
 * `GET /health`: 200 when the broker, the registry, the database and the listeners are up, with
 * status `up`, or `degraded` while any dead letter is unresolved (a dead letter needs a person,
 * not a restart; `deadLetters` counts them per view or index); 503 naming what is down. Anyone
 * gets the status word; the checks, lag and counts go to an operator's token. I/O.
 */
import type { FastifyPluginAsync } from 'fastify';
import { healthDetailRule } from '../auth/accessPolicy.js';
import { authorizeRequest } from '../auth/authorizeRequest.js';

const healthBody = {
  type: 'object',
  properties: {
    status: { enum: ['up', 'degraded'] },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
    /** Per view: events on the log not yet applied (end offsets minus the offsets stored with the view). */
    viewLag: { type: 'object', additionalProperties: { type: 'integer' } },
    /** Views a rebuild holds at fixed offsets while it compares itself with them (new events wait), and until when. */
    viewsHeld: { type: 'object', additionalProperties: { type: 'string', format: 'date-time' } },
    /** Views that did not start, and why (e.g. their log was recreated: rebuild them); the `views` check is then down. */
    viewsNotRunning: { type: 'object', additionalProperties: { type: 'string' } },
    /** Unresolved dead letters per view or audit index (GET /admin/dead-letters lists them); absent when none. */
    deadLetters: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

export type HealthCheck = () => Promise<boolean>;

export type HealthChecks = Readonly<Record<string, HealthCheck>>;

/** Facts reported with the checks (e.g. each view's lag) without deciding health. */
export type HealthDetails = () => Promise<Readonly<Record<string, unknown>>>;

/** Unresolved dead letters per view or index. */
export type DeadLetterCounts = () => Promise<Readonly<Record<string, number>>>;

export const healthRoutes: FastifyPluginAsync<{
  readonly checks: HealthChecks;
  readonly details?: HealthDetails;
  readonly deadLetters?: DeadLetterCounts;
}> = async (app, { checks, details, deadLetters }) => {
  app.get(
    '/health',
    {
      schema: {
        response: {
          '2xx': healthBody,
          '5xx': healthBody,
        },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
      );
      const up = results.every(([, ok]) => ok);
      const extra = details === undefined ? {} : await details().catch(() => ({}));
      // Unreadable counts go with a database that is down, which its own check reports.
      const dead = deadLetters === undefined ? {} : await deadLetters().catch(() => ({}));
      const unresolved = Object.keys(dead).length > 0;
      const status = up && !unresolved ? 'up' : 'degraded';
      const principal = request.principal;
      const detailed =
        principal !== undefined && authorizeRequest(healthDetailRule, principal, { params: {}, query: {} }).allowed;
      if (!detailed) return reply.status(up ? 200 : 503).send({ status });
      return reply.status(up ? 200 : 503).send({
        status,
        ...(unresolved ? { deadLetters: dead } : {}),
        checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'up' : 'down'])),
        ...extra,
      });
    },
  );
};
