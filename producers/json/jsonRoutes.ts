/**
 * `POST /events`: JSON ingest with an Idempotency-Key. 201 with the event id when new, 200
 * when a duplicate, problem+json 400/422 when refused, 503 when the log cannot store it now.
 * I/O (HTTP).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { rejectionCode } from '../../core/problemDetails.js';
import { IDENTIFIER_MAX_LENGTH } from '../../core/valueDomain.js';
import { replyProblem } from '../../platform/replyProblem.js';
import { annotateActiveSpan } from '../../platform/tracing.js';
import type { IngestService } from '../ingest/ingestService.js';
import { jsonAnswers } from './interpretJsonEvent.js';

export const JSON_ENDPOINT = 'json';

export const jsonRoutes: FastifyPluginAsync<{ readonly ingest: IngestService; readonly clock: () => Date }> = async (
  app,
  { ingest, clock },
) => {
  // The raw bytes are what the raw receipt keeps; the interpreter parses them itself. Any other media type is
  // refused (415) before the pipeline: fastify's text parser would hand over a string, not the bytes received.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/events',
    {
      schema: {
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: IDENTIFIER_MAX_LENGTH } },
        },
        response: {
          '2xx': {
            type: 'object',
            required: ['outcome', 'eventIds', 'correlationId'],
            properties: {
              outcome: { enum: ['accepted', 'duplicate', 'parked'] },
              eventIds: { type: 'array', items: { type: 'string' } },
              correlationId: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string') annotateActiveSpan({ 'cel.idempotency_key': key });
      const outcome = await ingest.ingest({
        receiptId: randomUUID(),
        receivedAt: clock(),
        channel: 'JSON',
        endpoint: JSON_ENDPOINT,
        contentType: 'application/json',
        payload,
        correlationId: String(request.id),
        remoteAddress: request.ip,
        messageType: null,
        messageId: typeof key === 'string' ? key : null,
      });
      const correlationId = outcome.correlationId;
      switch (outcome.kind) {
        case 'accepted':
          return reply
            .status(201)
            .send({ outcome: 'accepted', eventIds: outcome.events.map((e) => e.eventId), correlationId });
        case 'duplicate':
          return reply
            .status(200)
            .send({ outcome: 'duplicate', eventIds: outcome.events.map((e) => e.eventId), correlationId });
        case 'parked':
          return reply.status(202).send({ outcome: 'parked', eventIds: [], correlationId });
        case 'ignored':
          return reply.status(200).send({ outcome: 'accepted', eventIds: [], correlationId });
        case 'rejected':
          return replyProblem(reply, {
            status: jsonAnswers[outcome.rejection.kind],
            code: rejectionCode(outcome.rejection.kind),
            title: 'Event refused',
            detail: outcome.rejection.reason,
            location: outcome.rejection.location,
            correlationId,
          });
        case 'unavailable':
          return replyProblem(reply, {
            status: 503,
            code: 'CEL_ERR_PUBLISH_UNAVAILABLE',
            title: 'Log unavailable',
            detail: 'the event log could not store the event now; retry with the same Idempotency-Key',
            correlationId,
            retryAfterSeconds: 5,
          });
      }
    },
  );
};
