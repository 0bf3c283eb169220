/**
 * The views' API: GP summary and medications per patient, the pharmacy's orders across
 * patients (with a change feed), and care-plan tasks. 400 for an invalid NHS number, 404 for
 * a patient the views have never seen. Reads only. I/O (HTTP, SQL).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { carePlanProjection as carePlanView } from '../consumers/views.js';
import { describeNhsNumberError, parseNhsNumber } from '../core/nhsNumber.js';
import type { Pool } from '../platform/postgres.js';
import { eventsOfPatientUntil } from '../projections/audit-index/eventsOfPatientUntil.js';
import { tasksDueBefore, tasksOfPatient } from '../projections/care-plan-view/queries.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { readGpState } from '../projections/gp-view/queries.js';
import { gpRows } from '../projections/gp-view/rows.js';
import { pharmacyView } from '../projections/pharmacy-view/pharmacyView.js';
import { decodeCursor, encodeCursor, listOrders, ordersOfPatient } from '../projections/pharmacy-view/queries.js';
import { foldEvents } from '../projections/projection.js';
import { PROBLEM_CONTENT_TYPE, problem } from './problemDetails.js';
import { gpSummary, medicationRow, nhsParam, pharmacyOrderRow, taskRow } from './viewSchemas.js';

const MAX_PAGE = 1000;

function badRequest(reply: FastifyReply, correlationId: string, code: string, detail: string, location: string) {
  return reply
    .status(400)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem({ status: 400, code, title: 'Bad request', detail, location, correlationId }));
}

function notFound(reply: FastifyReply, correlationId: string) {
  return reply
    .status(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      problem({
        status: 404,
        code: 'CEL_ERR_UNKNOWN_PATIENT',
        title: 'Unknown patient',
        detail: 'no events have been seen for this patient',
        correlationId,
      }),
    );
}

const asOfQuery = { type: 'object', properties: { asOf: { type: 'string', maxLength: 40 } } } as const;

/** `asOf` as an instant, or a reason to refuse it. */
function parseAsOf(raw: string | undefined): Date | undefined | 'invalid' {
  if (raw === undefined) return undefined;
  const instant = new Date(raw);
  return /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(instant.getTime()) ? instant : 'invalid';
}

export const viewRoutes: FastifyPluginAsync<{ readonly pool: Pool }> = async (app, { pool }) => {
  /**
   * With `asOf`, a patient's view is folded from the events the log held at that instant
   * (record time ≤ asOf, from the audit index), with the same evolve as the live view.
   */
  const asOfRequested = (raw: string | undefined, reply: FastifyReply, correlationId: string) => {
    const asOf = parseAsOf(raw);
    if (asOf === 'invalid') {
      void badRequest(reply, correlationId, 'CEL_ERR_BAD_INSTANT', 'asOf must be an ISO 8601 instant', '/asOf');
      return 'invalid' as const;
    }
    return asOf;
  };
  const patient = (raw: string, reply: FastifyReply, correlationId: string) => {
    const nhs = parseNhsNumber(raw);
    if (!nhs.ok) {
      void badRequest(reply, correlationId, 'CEL_ERR_INVALID_NHS_NUMBER', describeNhsNumberError(nhs.error), '/nhs');
      return undefined;
    }
    return nhs.value;
  };

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/gp-summary',
    { schema: { params: nhsParam, querystring: asOfQuery, response: { 200: gpSummary } } },
    async (request, reply) => {
      const nhs = patient(request.params.nhs, reply, String(request.id));
      if (nhs === undefined) return reply;
      const asOf = asOfRequested(request.query.asOf, reply, String(request.id));
      if (asOf === 'invalid') return reply;
      if (asOf !== undefined) {
        const events = await eventsOfPatientUntil(pool, nhs, asOf);
        if (events.length === 0) return notFound(reply, String(request.id));
        return { nhsNumber: nhs, asOf: asOf.toISOString(), ...gpRows(nhs, foldEvents(gpView, events)) };
      }
      const state = await readGpState(pool, nhs);
      if (state === undefined) return notFound(reply, String(request.id));
      return { nhsNumber: nhs, asOf: null, ...gpRows(nhs, state) };
    },
  );

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/medications',
    {
      schema: {
        params: nhsParam,
        querystring: asOfQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              nhsNumber: { type: 'string' },
              asOf: { type: ['string', 'null'] },
              currentMedications: { type: 'array', items: medicationRow },
              orders: { type: 'array', items: pharmacyOrderRow },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const nhs = patient(request.params.nhs, reply, String(request.id));
      if (nhs === undefined) return reply;
      const asOf = asOfRequested(request.query.asOf, reply, String(request.id));
      if (asOf === 'invalid') return reply;
      if (asOf !== undefined) {
        const events = await eventsOfPatientUntil(pool, nhs, asOf);
        if (events.length === 0) return notFound(reply, String(request.id));
        return {
          nhsNumber: nhs,
          asOf: asOf.toISOString(),
          currentMedications: gpRows(nhs, foldEvents(gpView, events)).currentMedications,
          // Same order as the live query (by order id).
          orders: [...pharmacyView.rows(nhs, foldEvents(pharmacyView, events)).orders].sort((a, b) =>
            a.orderId.localeCompare(b.orderId),
          ),
        };
      }
      const [state, orders] = await Promise.all([readGpState(pool, nhs), ordersOfPatient(pool, nhs)]);
      if (state === undefined && orders.length === 0) return notFound(reply, String(request.id));
      return {
        nhsNumber: nhs,
        currentMedications: state === undefined ? [] : gpRows(nhs, state).currentMedications,
        orders,
      };
    },
  );

  app.get<{ Querystring: { status?: 'active' | 'cancelled' | 'discontinued'; since?: string; limit: number } }>(
    '/pharmacy/orders',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { enum: ['active', 'cancelled', 'discontinued'] },
            since: { type: 'string', maxLength: 4096 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 500 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { orders: { type: 'array', items: pharmacyOrderRow }, cursor: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      const since = request.query.since === undefined ? undefined : decodeCursor(request.query.since);
      if (request.query.since !== undefined && since === undefined) {
        return badRequest(
          reply,
          String(request.id),
          'CEL_ERR_BAD_CURSOR',
          'since is not a cursor this API returned',
          '/since',
        );
      }
      const page = await listOrders(pool, { status: request.query.status, since, limit: request.query.limit });
      return { orders: page.orders, cursor: encodeCursor(page.cursor) };
    },
  );

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/care-plan',
    {
      schema: {
        params: nhsParam,
        querystring: asOfQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              nhsNumber: { type: 'string' },
              asOf: { type: ['string', 'null'] },
              tasks: { type: 'array', items: taskRow },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const nhs = patient(request.params.nhs, reply, String(request.id));
      if (nhs === undefined) return reply;
      const asOf = asOfRequested(request.query.asOf, reply, String(request.id));
      if (asOf === 'invalid') return reply;
      if (asOf !== undefined) {
        const events = await eventsOfPatientUntil(pool, nhs, asOf);
        if (events.length === 0) return notFound(reply, String(request.id));
        return {
          nhsNumber: nhs,
          asOf: asOf.toISOString(),
          // Same order as the live query (by due time, then task id).
          tasks: [...carePlanView.rows(nhs, foldEvents(carePlanView, events)).tasks].sort(
            (a, b) => a.dueAt.localeCompare(b.dueAt) || a.taskId.localeCompare(b.taskId),
          ),
        };
      }
      const [tasks, state] = await Promise.all([tasksOfPatient(pool, nhs), readGpState(pool, nhs)]);
      if (tasks.length === 0 && state === undefined) return notFound(reply, String(request.id));
      return { nhsNumber: nhs, tasks };
    },
  );

  app.get<{ Querystring: { dueBefore: string; status?: 'open' | 'closed'; limit: number } }>(
    '/care-plan/tasks',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['dueBefore'],
          properties: {
            dueBefore: { type: 'string', maxLength: 40 },
            status: { enum: ['open', 'closed'] },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 500 },
          },
        },
        response: { 200: { type: 'object', properties: { tasks: { type: 'array', items: taskRow } } } },
      },
    },
    async (request, reply) => {
      const dueBefore = new Date(request.query.dueBefore);
      if (Number.isNaN(dueBefore.getTime()) || !/\d{4}-\d{2}-\d{2}/.test(request.query.dueBefore)) {
        return badRequest(
          reply,
          String(request.id),
          'CEL_ERR_BAD_INSTANT',
          'dueBefore must be an ISO 8601 instant',
          '/dueBefore',
        );
      }
      return {
        tasks: await tasksDueBefore(pool, { dueBefore, status: request.query.status, limit: request.query.limit }),
      };
    },
  );
};
