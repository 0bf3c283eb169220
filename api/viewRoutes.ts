/**
 * The views' API: GP summary and medications per patient, the pharmacy's orders across
 * patients (with a change feed), and care-plan tasks. 400 for an invalid NHS number, 404 for
 * a patient the views have never seen. Reads only. I/O (HTTP, SQL).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { carePlanProjection as carePlanView } from '../consumers/views.js';
import type { Pool } from '../platform/postgres.js';
import { eventsOfPatientUntil } from '../projections/audit-index/eventsOfPatientUntil.js';
import { tasksDueBefore, tasksOfPatient } from '../projections/care-plan-view/queries.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { readGpState } from '../projections/gp-view/queries.js';
import { gpRows } from '../projections/gp-view/rows.js';
import { pharmacyView } from '../projections/pharmacy-view/pharmacyView.js';
import { encodeCursor, listOrders, ordersOfPatient, parseFeedCursor } from '../projections/pharmacy-view/queries.js';
import { foldEvents } from '../projections/projection.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { patientParam, replyUnknownPatient } from './patientParam.js';
import { replyBadRequest } from './problemDetails.js';
import { queryInstant } from './queryInstant.js';
import { gpSummary, medicationRow, nhsParam, pharmacyOrderRow, taskRow } from './viewSchemas.js';

const MAX_PAGE = 1000;

const unknownPatient = (reply: FastifyReply, correlationId: string) =>
  replyUnknownPatient(reply, correlationId, 'no events have been seen for this patient');

const asOfQuery = { type: 'object', properties: { asOf: { type: 'string', maxLength: 40 } } } as const;

type PatientRequest = FastifyRequest<{ Params: { nhs: string }; Querystring: { asOf?: string } }>;

/** How one patient route reads its answer: from the live view, or folded from the log as it stood at `asOf`. */
type PatientRead<Body extends object> = {
  /** From the live view; undefined when it has never seen the patient. */
  readonly live: (nhs: string) => Promise<Body | undefined>;
  /** From the patient's events recorded up to `asOf` (never none), with the live view's evolve. */
  readonly folded: (nhs: string, events: readonly ClinicalEvent[]) => Body;
};

export const viewRoutes: FastifyPluginAsync<{ readonly pool: Pool }> = async (app, { pool }) => {
  /**
   * The patient routes' common part: 400 for an invalid NHS number or `asOf`, 404 for a
   * patient not seen (by then), and `{nhsNumber, asOf}` around the body. With `asOf`, the
   * view is folded from the events the log held at that instant (record time ≤ asOf, from
   * the audit index).
   */
  const patientRoute =
    <Body extends object>(read: PatientRead<Body>) =>
    async (request: PatientRequest, reply: FastifyReply) => {
      const correlationId = String(request.id);
      const nhs = patientParam(request.params.nhs, reply, correlationId);
      if (nhs === undefined) return reply;
      const asOfParameter = request.query.asOf === undefined ? undefined : queryInstant(request.query.asOf, 'asOf');
      if (asOfParameter?.ok === false) return replyBadRequest(reply, correlationId, asOfParameter.error);
      const asOf = asOfParameter?.value;
      if (asOf === undefined) {
        const body = await read.live(nhs);
        if (body === undefined) return unknownPatient(reply, correlationId);
        return { nhsNumber: nhs, asOf: null, ...body };
      }
      const events = await eventsOfPatientUntil(pool, nhs, asOf);
      if (events.length === 0) return unknownPatient(reply, correlationId);
      return { nhsNumber: nhs, asOf: asOf.toISOString(), ...read.folded(nhs, events) };
    };

  const patientResponse = (properties: Record<string, unknown>) => ({
    type: 'object',
    properties: { nhsNumber: { type: 'string' }, asOf: { type: ['string', 'null'] }, ...properties },
  });

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/gp-summary',
    { schema: { params: nhsParam, querystring: asOfQuery, response: { 200: gpSummary } } },
    patientRoute({
      live: async (nhs) => {
        const state = await readGpState(pool, nhs);
        return state === undefined ? undefined : gpRows(nhs, state);
      },
      folded: (nhs, events) => gpRows(nhs, foldEvents(gpView, events)),
    }),
  );

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/medications',
    {
      schema: {
        params: nhsParam,
        querystring: asOfQuery,
        response: {
          200: patientResponse({
            currentMedications: { type: 'array', items: medicationRow },
            orders: { type: 'array', items: pharmacyOrderRow },
          }),
        },
      },
    },
    patientRoute({
      live: async (nhs) => {
        const [state, orders] = await Promise.all([readGpState(pool, nhs), ordersOfPatient(pool, nhs)]);
        if (state === undefined && orders.length === 0) return undefined;
        return { currentMedications: state === undefined ? [] : gpRows(nhs, state).currentMedications, orders };
      },
      folded: (nhs, events) => ({
        currentMedications: gpRows(nhs, foldEvents(gpView, events)).currentMedications,
        // Same order as the live query (by order id).
        orders: [...pharmacyView.rows(nhs, foldEvents(pharmacyView, events)).orders].sort((a, b) =>
          a.orderId.localeCompare(b.orderId),
        ),
      }),
    }),
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
      const since = request.query.since === undefined ? undefined : parseFeedCursor(request.query.since);
      if (since?.ok === false) {
        return replyBadRequest(reply, String(request.id), {
          code: 'CEL_ERR_BAD_CURSOR',
          detail: `since is not a cursor this API returned: ${since.error}`,
          location: '/since',
        });
      }
      const page = await listOrders(pool, {
        status: request.query.status,
        since: since?.value,
        limit: request.query.limit,
      });
      return { orders: page.orders, cursor: encodeCursor(page.cursor) };
    },
  );

  app.get<{ Params: { nhs: string }; Querystring: { asOf?: string } }>(
    '/patients/:nhs/care-plan',
    {
      schema: {
        params: nhsParam,
        querystring: asOfQuery,
        response: { 200: patientResponse({ tasks: { type: 'array', items: taskRow } }) },
      },
    },
    patientRoute({
      live: async (nhs) => {
        const [tasks, state] = await Promise.all([tasksOfPatient(pool, nhs), readGpState(pool, nhs)]);
        return tasks.length === 0 && state === undefined ? undefined : { tasks };
      },
      folded: (nhs, events) => ({
        // Same order as the live query (by due time, then task id).
        tasks: [...carePlanView.rows(nhs, foldEvents(carePlanView, events)).tasks].sort(
          (a, b) => a.dueAt.localeCompare(b.dueAt) || a.taskId.localeCompare(b.taskId),
        ),
      }),
    }),
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
      const dueBefore = queryInstant(request.query.dueBefore, 'dueBefore');
      if (!dueBefore.ok) return replyBadRequest(reply, String(request.id), dueBefore.error);
      return {
        tasks: await tasksDueBefore(pool, {
          dueBefore: dueBefore.value,
          status: request.query.status,
          limit: request.query.limit,
        }),
      };
    },
  );
};
