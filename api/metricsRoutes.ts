/**
 * GET /metrics: the service's Prometheus metrics (text exposition format). An operator's token
 * reads them through the API's token check (auth/accessPolicy.ts); Prometheus itself uses the
 * static scrape token (METRICS_BEARER_TOKEN_FILE), and a caller on this machine may scrape
 * without any (observability/scrapeAccess.ts). Those two are answered by registerScrapeAccess's
 * hook, which must be added before the token check. Also counts and times every HTTP request
 * by route pattern. I/O.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { methodLabel, routeLabel, statusLabel } from '../observability/metricLabels.js';
import type { Metrics } from '../observability/metrics.js';
import { decideScrape } from '../observability/scrapeAccess.js';

export const METRICS_PATH = '/metrics';

export type MetricsAccess = {
  readonly metrics: Metrics;
  /** The static scrape token (METRICS_BEARER_TOKEN_FILE's content); without it, loopback or an operator token only. */
  readonly scrapeToken?: string;
};

async function sendMetrics(reply: FastifyReply, metrics: Metrics): Promise<FastifyReply> {
  const text = await metrics.registry.metrics();
  return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(text);
}

/** The scrape credential's hook and the HTTP request metrics; call before registerAuth. */
export function registerScrapeAccess(app: FastifyInstance, access: MetricsAccess): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const decision = decideScrape(
      {
        authorization: request.headers.authorization,
        remoteAddress: request.socket.remoteAddress,
        forwarded: request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined,
      },
      access.scrapeToken,
    );
    if (decision === 'scrape') return sendMetrics(reply, access.metrics);
  });
  app.addHook('onResponse', async (request, reply) => {
    access.metrics.httpAnswered(
      methodLabel(request.method),
      routeLabel(request.routeOptions.url),
      statusLabel(reply.statusCode),
      reply.elapsedTime / 1000,
    );
  });
}

export const metricsRoutes: FastifyPluginAsync<{ readonly metrics: Metrics }> = async (app, { metrics }) => {
  app.get(METRICS_PATH, { schema: { hide: true } }, async (_request, reply) => sendMetrics(reply, metrics));
};
