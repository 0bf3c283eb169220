/**
 * The audit history API over the audit index: events by patient, type, clinical time,
 * correlation id or source message (paged in log order), every log record of one event with
 * its raw source message, a patient's timeline in clinical-time order, and the verification
 * of a patient's hash chain; anchors of all chains, taken and checked. 400 names the parameter at fault; 404 for an unknown patient or
 * event. Reads only. I/O (HTTP, SQL).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Pool } from '../platform/postgres.js';
import { pageAccessLog } from '../projections/audit-index/accessLogQueries.js';
import { checkAnchor, takeAnchor } from '../projections/audit-index/anchors.js';
import {
  type AnchorHead,
  type AuditAnchor,
  anchorFromJson,
  anchorToJson,
} from '../projections/audit-index/auditAnchor.js';
import {
  type AuditReceipt,
  isKnownPatient,
  listAuditEvents,
  patientTimeline,
  readReceipts,
  recordsOfEvent,
} from '../projections/audit-index/queries.js';
import { verifyPatientChain } from '../projections/audit-index/verifyPatientChain.js';
import { type AccessLogQuery, encodeAccessCursor, parseAccessLogQuery } from './accessLogQuery.js';
import {
  type AuditEventQuery,
  badCursor,
  decodeTimelineCursor,
  encodePositionCursor,
  encodeTimelineCursor,
  parseAuditEventQuery,
} from './auditQuery.js';
import {
  accessLogPage,
  accessLogQuery,
  anchorBody,
  anchorQuery,
  anchorVerdict,
  auditEventDetail,
  auditEventsPage,
  auditEventsQuery,
  chainVerdict,
  eventIdParam,
  pageQuery,
  timelinePage,
} from './auditSchemas.js';
import { refuseUnlessMayRead } from './authPlugin.js';
import { patientParam, replyUnknownPatient } from './patientParam.js';
import { replyBadRequest, replyNotFound } from './problemDetails.js';
import { nhsParam } from './viewSchemas.js';

/** A full anchor holds about 130 bytes per patient: this takes about 500,000 patients; the CLI takes any number. */
const MAX_ANCHOR_BYTES = 64 * 1024 * 1024;

const unknownPatient = (reply: FastifyReply, correlationId: string) =>
  replyUnknownPatient(reply, correlationId, 'the audit index holds no events for this patient');

const MAX_BIGINT = 2n ** 63n - 1n;

/** An anchor whose offsets or sequence numbers PostgreSQL's bigint cannot hold was never taken here. */
function anchorOutOfRange(anchor: AuditAnchor): string | undefined {
  for (const [topic, offsets] of anchor.position) {
    for (const [partition, next] of offsets) {
      if (partition >= 2 ** 31 || next > MAX_BIGINT)
        return `position.${topic}.${partition} is beyond any partition or offset the log can have`;
    }
  }
  const head = anchor.heads?.findIndex((h) => h.chainSeq > MAX_BIGINT) ?? -1;
  return head >= 0 ? `heads[${head}].chainSeq is beyond any chain length` : undefined;
}

/** The raw source message as text when it is UTF-8 (HL7, FHIR, JSON), else base64. */
function receiptView(receipt: AuditReceipt) {
  const { payload, ...metadata } = receipt;
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return { ...metadata, payloadEncoding: 'utf8', payload: text.decode(payload) };
  } catch {
    return { ...metadata, payloadEncoding: 'base64', payload: payload.toString('base64') };
  }
}

export const auditRoutes: FastifyPluginAsync<{ readonly pool: Pool }> = async (app, { pool }) => {
  app.get<{ Querystring: AuditEventQuery }>(
    '/audit/events',
    { schema: { querystring: auditEventsQuery, response: { 200: auditEventsPage } } },
    async (request, reply) => {
      const query = parseAuditEventQuery(request.query);
      if (!query.ok) return replyBadRequest(reply, String(request.id), query.error);
      const { filter, after, limit } = query.value;
      const events = await listAuditEvents(pool, filter, after, limit);
      const last = events.at(-1);
      return { events, cursor: last === undefined ? (request.query.cursor ?? null) : encodePositionCursor(last) };
    },
  );

  app.get<{ Params: { eventId: string } }>(
    '/audit/events/:eventId',
    { schema: { params: eventIdParam, response: { 200: auditEventDetail } } },
    async (request, reply) => {
      const records = await recordsOfEvent(pool, request.params.eventId);
      if (records.length === 0) {
        return replyNotFound(reply, String(request.id), {
          code: 'CEL_ERR_UNKNOWN_EVENT',
          title: 'Unknown event',
          detail: 'the audit index holds no record of this event id',
        });
      }
      const refused = refuseUnlessMayRead(
        request,
        reply,
        records.map((r) => r.nhsNumber),
      );
      if (refused !== undefined) return refused;
      const receipts = await readReceipts(pool, [
        ...new Set(records.flatMap((r) => (r.source.receiptId === null ? [] : [r.source.receiptId]))),
      ]);
      return {
        eventId: request.params.eventId.toLowerCase(),
        records: records.map((r) => {
          const receipt = r.source.receiptId === null ? undefined : receipts.get(r.source.receiptId);
          return { ...r, receipt: receipt === undefined ? null : receiptView(receipt) };
        }),
      };
    },
  );

  app.get<{ Params: { nhs: string }; Querystring: { cursor?: string; limit: number } }>(
    '/audit/patients/:nhs/timeline',
    { schema: { params: nhsParam, querystring: pageQuery, response: { 200: timelinePage } } },
    async (request, reply) => {
      const nhs = patientParam(request.params.nhs, reply, String(request.id));
      if (nhs === undefined) return reply;
      const after = request.query.cursor === undefined ? undefined : decodeTimelineCursor(request.query.cursor);
      if (request.query.cursor !== undefined && after === undefined)
        return replyBadRequest(reply, String(request.id), badCursor);
      if (!(await isKnownPatient(pool, nhs))) return unknownPatient(reply, String(request.id));
      const page = await patientTimeline(pool, nhs, after, request.query.limit);
      return {
        nhsNumber: nhs,
        events: page.events,
        cursor: page.last === undefined ? (request.query.cursor ?? null) : encodeTimelineCursor(page.last),
      };
    },
  );

  app.get<{ Querystring: AccessLogQuery }>(
    '/audit/access',
    { schema: { querystring: accessLogQuery, response: { 200: accessLogPage } } },
    async (request, reply) => {
      const parsed = parseAccessLogQuery(request.query);
      if (!parsed.ok) return replyBadRequest(reply, String(request.id), parsed.error);
      const rows = await pageAccessLog(pool, parsed.value);
      const last = rows.at(-1);
      return {
        records: rows.map(({ at, ...row }) => ({ ...row, at: at.toISOString() })),
        cursor:
          last === undefined
            ? (request.query.cursor ?? null)
            : encodeAccessCursor({ at: last.at.toISOString(), accessId: last.accessId }),
      };
    },
  );

  app.get<{ Querystring: { heads: boolean } }>(
    '/audit/anchor',
    { schema: { querystring: anchorQuery, response: { 200: anchorBody } } },
    async (request) => anchorToJson(await takeAnchor(pool), { withHeads: request.query.heads }),
  );

  app.post<{ Body: unknown }>(
    '/audit/anchor/verify',
    { bodyLimit: MAX_ANCHOR_BYTES, schema: { body: { type: 'object' }, response: { 200: anchorVerdict } } },
    async (request, reply) => {
      const parsed = anchorFromJson(request.body);
      if (!parsed.ok)
        return replyBadRequest(reply, String(request.id), { code: 'CEL_ERR_BAD_ANCHOR', detail: parsed.error });
      const outOfRange = anchorOutOfRange(parsed.anchor);
      if (outOfRange !== undefined)
        return replyBadRequest(reply, String(request.id), { code: 'CEL_ERR_BAD_ANCHOR', detail: outOfRange });
      const verdict = await checkAnchor(pool, parsed.anchor);
      const head = (h: AnchorHead | undefined) =>
        h === undefined ? null : { chainSeq: String(h.chainSeq), entryHash: h.entryHash };
      return {
        ...verdict,
        differences: verdict.differences.map((d) => ({
          nhsNumber: d.nhsNumber,
          anchored: head(d.anchored),
          now: head(d.now),
        })),
      };
    },
  );

  app.get<{ Params: { nhs: string } }>(
    '/audit/patients/:nhs/verify',
    { schema: { params: nhsParam, response: { 200: chainVerdict } } },
    async (request, reply) => {
      const nhs = patientParam(request.params.nhs, reply, String(request.id));
      if (nhs === undefined) return reply;
      const verdict = await verifyPatientChain(pool, nhs);
      // A patient whose every record was dead-lettered has no chain, and a trail that is not ok.
      if (verdict.missing === undefined && !(await isKnownPatient(pool, nhs)))
        return unknownPatient(reply, String(request.id));
      return { nhsNumber: nhs, ...verdict };
    },
  );
};
