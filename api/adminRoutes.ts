/**
 * Operator endpoints for inputs held back from the log: list parked and rejected inputs
 * (metadata only — payloads are patient data and stay in the database), and re-drive one.
 * I/O (HTTP).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Pool } from '../platform/postgres.js';
import { type HeldInput, listParked, listRejected } from '../producers/ingest/heldInputs.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { PROBLEM_CONTENT_TYPE, problem } from './problemDetails.js';

const heldSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    receiptId: { type: 'string' },
    channel: { type: 'string' },
    endpoint: { type: 'string' },
    correlationId: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    reasonCode: { type: 'string' },
    reason: { type: 'string' },
    location: { type: ['string', 'null'] },
    status: { type: 'string' },
    bytes: { type: 'integer' },
  },
} as const;

const view = (held: HeldInput) => ({
  id: held.id,
  receiptId: held.receiptId,
  channel: held.channel,
  endpoint: held.endpoint,
  correlationId: held.correlationId,
  receivedAt: held.receivedAt.toISOString(),
  reasonCode: held.reasonCode,
  reason: held.reason,
  location: held.location,
  status: held.status,
  bytes: held.payload.length,
});

export const adminRoutes: FastifyPluginAsync<{ readonly pool: Pool; readonly ingest: IngestService }> = async (
  app,
  { pool, ingest },
) => {
  const listSchema = (name: string) => ({
    querystring: { type: 'object', properties: { all: { type: 'boolean', default: false } } },
    response: { 200: { type: 'object', properties: { [name]: { type: 'array', items: heldSchema } } } },
  });

  app.get<{ Querystring: { all: boolean } }>('/admin/parked', { schema: listSchema('parked') }, async (request) => ({
    parked: (await listParked(pool, { all: request.query.all })).map(view),
  }));
  app.get<{ Querystring: { all: boolean } }>(
    '/admin/rejected',
    { schema: listSchema('rejected') },
    async (request) => ({
      rejected: (await listRejected(pool, { all: request.query.all })).map(view),
    }),
  );

  app.post<{ Params: { kind: 'parked' | 'rejected'; id: number } }>(
    '/admin/:kind/:id/redrive',
    {
      schema: {
        params: {
          type: 'object',
          required: ['kind', 'id'],
          properties: { kind: { enum: ['parked', 'rejected'] }, id: { type: 'integer', minimum: 1 } },
        },
        response: {
          200: { type: 'object', properties: { outcome: { type: 'string' }, correlationId: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const outcome = await ingest.redrive(request.params.kind, request.params.id);
      if (outcome === undefined) {
        return reply
          .status(404)
          .type(PROBLEM_CONTENT_TYPE)
          .send(
            problem({
              status: 404,
              code: 'CEL_ERR_NOT_FOUND',
              title: 'No such held input',
              detail: `no ${request.params.kind} input ${request.params.id}`,
              correlationId: String(request.id),
            }),
          );
      }
      return { outcome: outcome.kind, correlationId: outcome.correlationId };
    },
  );
};
