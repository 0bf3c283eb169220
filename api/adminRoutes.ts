/**
 * Operator endpoints. Inputs held back from the log: list parked and rejected inputs, and
 * re-drive one. Dead letters (records a view or audit index could not apply): list them, show
 * one, re-drive one into its view. Metadata only: payloads are patient data and stay in the
 * database (and on the topics). I/O (HTTP).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { auditIndexNames } from '../consumers/auditIndexes.js';
import { countDeadLetters, findDeadLetter, pageDeadLetters } from '../consumers/deadLetters.js';
import { redriveInItsView } from '../consumers/redriveInItsView.js';
import { viewNames } from '../consumers/views.js';
import type { EventCodec } from '../platform/eventCodec.js';
import type { Pool } from '../platform/postgres.js';
import { replyProblem } from '../platform/replyProblem.js';
import { type HeldInput, listParked, listRejected } from '../producers/ingest/heldInputs.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { replyNotFound } from './problemDetails.js';

/** Database ids are bigserial; an id is taken up to 2^53 - 1, which a JSON number holds exactly. */
export const idParameter = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const DEAD_LETTER_PAGE = { default: 100, max: 1000 } as const;

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

const deadLetterSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    view: { type: 'string' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'string', description: 'decimal, 64-bit' },
    eventId: { type: ['string', 'null'] },
    errorCode: { type: 'string' },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    status: { enum: ['dead', 'redriven'] },
    deadLetteredAt: { type: 'string', format: 'date-time' },
    redrivenAt: { type: ['string', 'null'], format: 'date-time' },
    redriveOutcome: { type: ['string', 'null'] },
  },
} as const;

const deadLetterIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idParameter },
  additionalProperties: false,
} as const;

const unknownDeadLetter = (reply: FastifyReply, correlationId: string, id: number) =>
  replyNotFound(reply, correlationId, {
    code: 'CEL_ERR_UNKNOWN_DEAD_LETTER',
    title: 'No such dead letter',
    detail: `no dead letter ${id}; GET /admin/dead-letters lists them`,
  });

export const adminRoutes: FastifyPluginAsync<{
  readonly pool: Pool;
  readonly ingest: IngestService;
  /** The canonical events' codec, to decode a dead letter again; without it dead letters are listed, not re-driven. */
  readonly codec?: EventCodec | undefined;
}> = async (app, { pool, ingest, codec }) => {
  const listSchema = (name: string) => ({
    querystring: {
      type: 'object',
      properties: {
        all: { type: 'boolean', default: false, description: 'also the ones already released or re-driven' },
      },
      additionalProperties: false,
    },
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
          properties: { kind: { enum: ['parked', 'rejected'] }, id: idParameter },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { outcome: { type: 'string' }, correlationId: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const outcome = await ingest.redrive(request.params.kind, request.params.id);
      if (outcome === undefined) {
        return replyNotFound(reply, String(request.id), {
          code: 'CEL_ERR_NOT_FOUND',
          title: 'No such held input',
          detail: `no ${request.params.kind} input ${request.params.id}`,
        });
      }
      return { outcome: outcome.kind, correlationId: outcome.correlationId };
    },
  );

  const deadLetterViews = [...viewNames, ...auditIndexNames];

  app.get<{ Querystring: { view?: string; status: 'dead' | 'redriven' | 'all'; after: number; limit: number } }>(
    '/admin/dead-letters',
    {
      schema: {
        description:
          'Records a view or audit index could not apply, oldest first. Unresolved ones (status dead) make /health say degraded.',
        querystring: {
          type: 'object',
          properties: {
            view: { enum: deadLetterViews },
            status: { enum: ['dead', 'redriven', 'all'], default: 'dead' },
            after: {
              type: 'integer',
              minimum: 0,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 0,
              description: 'the last id of the previous page',
            },
            limit: { type: 'integer', minimum: 1, maximum: DEAD_LETTER_PAGE.max, default: DEAD_LETTER_PAGE.default },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              unresolved: { type: 'object', additionalProperties: { type: 'integer' } },
              deadLetters: { type: 'array', items: deadLetterSchema },
              /** The `after` of the next page; null when this page is the last. */
              next: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
    async (request) => {
      const { view, status, after, limit } = request.query;
      const [unresolved, deadLetters] = await Promise.all([
        countDeadLetters(pool),
        pageDeadLetters(pool, { view, status: status === 'all' ? undefined : status, after, limit }),
      ]);
      const next = deadLetters.length === limit ? (deadLetters.at(-1)?.id ?? null) : null;
      return { unresolved, deadLetters, next };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/admin/dead-letters/:id',
    { schema: { params: deadLetterIdParams, response: { 200: deadLetterSchema } } },
    async (request, reply) =>
      (await findDeadLetter(pool, request.params.id)) ??
      unknownDeadLetter(reply, String(request.id), request.params.id),
  );

  if (codec === undefined) return;
  app.post<{ Params: { id: number } }>(
    '/admin/dead-letters/:id/redrive',
    {
      schema: {
        description: 'Decodes the record again and applies it to its view, once the cause is fixed.',
        params: deadLetterIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              outcome: { enum: ['applied', 'duplicate'] },
              eventId: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const correlationId = String(request.id);
      const outcome = await redriveInItsView(pool, codec, id);
      const conflict = (code: string, title: string, detail: string) =>
        replyProblem(reply, { status: 409, code, title, detail, correlationId });
      switch (outcome.kind) {
        case 'applied':
        case 'duplicate':
          request.log.info(
            { deadLetter: id, outcome: outcome.kind, eventId: outcome.eventId },
            'dead letter re-driven',
          );
          return { id, outcome: outcome.kind, eventId: outcome.eventId };
        case 'not-found':
        case 'wrong-view':
          return unknownDeadLetter(reply, correlationId, id);
        case 'already-redriven':
          return conflict('CEL_ERR_ALREADY_REDRIVEN', 'Already re-driven', `dead letter ${id} was re-driven already`);
        case 'still-failing':
          return conflict(
            'CEL_ERR_STILL_FAILING',
            'Still failing',
            `dead letter ${id} still cannot be applied (${outcome.error}); it stays dead: fix the cause, then re-drive it again`,
          );
        case 'not-redrivable':
          return conflict(
            'CEL_ERR_NOT_REDRIVABLE',
            'Not re-drivable',
            `dead letter ${id} belongs to ${outcome.view}, whose hash chains follow log order, so it is not re-driven one record at a time; the record stays on the log at its offset and the audit verify reports it as missing`,
          );
      }
    },
  );
};
