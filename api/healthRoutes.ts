/** `GET /health`: 200 when the broker, the registry, the database and the listeners are up; 503 naming what is not. I/O. */
import type { FastifyPluginAsync } from 'fastify';

export type HealthCheck = () => Promise<boolean>;

export type HealthChecks = Readonly<Record<string, HealthCheck>>;

export const healthRoutes: FastifyPluginAsync<{ readonly checks: HealthChecks }> = async (app, { checks }) => {
  app.get(
    '/health',
    {
      schema: {
        response: {
          '2xx': {
            type: 'object',
            properties: {
              status: { type: 'string' },
              checks: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
          '5xx': {
            type: 'object',
            properties: {
              status: { type: 'string' },
              checks: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
      );
      const up = results.every(([, ok]) => ok);
      return reply.status(up ? 200 : 503).send({
        status: up ? 'up' : 'degraded',
        checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'up' : 'down'])),
      });
    },
  );
};
