/** `GET /health`: 200 when the broker, the registry, the database and the listeners are up; 503 naming what is not. I/O. */
import type { FastifyPluginAsync } from 'fastify';

const healthBody = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
    /** Per view: events on the log not yet applied (end offsets minus the offsets stored with the view). */
    viewLag: { type: 'object', additionalProperties: { type: 'integer' } },
    /** Views a rebuild holds at fixed offsets while it compares itself with them (new events wait), and until when. */
    viewsHeld: { type: 'object', additionalProperties: { type: 'string', format: 'date-time' } },
    /** Views that did not start, and why (e.g. their log was recreated: rebuild them); the `views` check is then down. */
    viewsNotRunning: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export type HealthCheck = () => Promise<boolean>;

export type HealthChecks = Readonly<Record<string, HealthCheck>>;

/** Facts reported with the checks (e.g. each view's lag) without deciding health. */
export type HealthDetails = () => Promise<Readonly<Record<string, unknown>>>;

export const healthRoutes: FastifyPluginAsync<{
  readonly checks: HealthChecks;
  readonly details?: HealthDetails;
}> = async (app, { checks, details }) => {
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
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
      );
      const up = results.every(([, ok]) => ok);
      const extra = details === undefined ? {} : await details().catch(() => ({}));
      return reply.status(up ? 200 : 503).send({
        status: up ? 'up' : 'degraded',
        checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'up' : 'down'])),
        ...extra,
      });
    },
  );
};
