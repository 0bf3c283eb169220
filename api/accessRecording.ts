/**
 * Who viewed what, recorded as it happens: every answer carrying patient data (a `read` route,
 * status 2xx) writes one access record naming the patients it held, and its body leaves only
 * once Kafka has acknowledged that record; an admin action's record is written before the
 * action runs; a replay's before it streams (`started`), and a second once it has ended naming
 * every patient it streamed (`completed` or `interrupted`). When a record cannot be written
 * before the data leaves, the request fails with 503 and nothing is shown or done (never an
 * unlogged read). Ingest answers carry no
 * patient data and are not recorded.
 *
 * Records go to Kafka together: while other reads are being worked on, a record waits a few
 * milliseconds at most for theirs, so that one acknowledged write carries them all (one write
 * per answer would cost each answer a round trip's CPU); a lone read's record goes at once.
 * I/O.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AccessRecordKind, accessRecord, patientsIn } from '../auth/accessEntry.js';
import { type Problem, problemJson } from '../core/problemDetails.js';
import { groupCommit } from '../platform/groupCommit.js';
import { replyProblem } from '../platform/replyProblem.js';
import type { AccessRecord } from '../schemas/generated/events.js';

/** Writes access records; resolves once all of them are kept (acknowledged by Kafka). */
export type RecordAccess = (records: readonly AccessRecord[]) => Promise<void>;

/** How long a record waits at most for the records of reads still being worked on. */
const GATHER_MS = 2;

declare module 'fastify' {
  interface FastifyRequest {
    /** The patients a read's answer holds, noted from the answer before it is serialised. */
    accessPatients: readonly string[] | undefined;
    /** A read whose access record is still to come (counted while records gather). */
    accessRecordDue: boolean;
  }
  interface FastifyInstance {
    /** Access records a route writes itself: a stream's record once it has ended (the patients it held). */
    accessLog: {
      streamEnded(request: FastifyRequest, patients: readonly string[], outcome: string): Promise<void>;
    };
  }
}

/** Routes whose answer is a stream of many patients' records: recorded as an export before it starts. */
const EXPORT_ROUTES = new Set(['GET /replay/events']);

const unavailable = (correlationId: string): Problem => ({
  status: 503,
  code: 'CEL_ERR_ACCESS_LOG_UNAVAILABLE',
  title: 'Unavailable',
  detail: 'the access log cannot be written now, so nothing is shown or done; retry shortly',
  correlationId,
  retryAfterSeconds: 5,
});

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? ''}`;

function pathPatient(request: FastifyRequest): readonly string[] {
  const nhs = (request.params as Record<string, unknown> | undefined)?.nhs;
  return typeof nhs === 'string' ? [nhs] : [];
}

function bodyOf(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function registerAccessRecording(
  app: FastifyInstance,
  options: { readonly record: RecordAccess; readonly clock: () => Date },
): void {
  let readsDue = 0;
  const keep = groupCommit<AccessRecord, undefined>({
    maxInFlight: 1,
    maxBatch: 500,
    gather: { expected: () => readsDue > 0, maxMs: GATHER_MS },
    run: async (records) => {
      await options.record(records);
      return records.map(() => undefined);
    },
  });
  /** This read's record is no longer on its way (it is written now, or never will be). */
  const noLongerDue = (request: FastifyRequest): boolean => {
    if (!request.accessRecordDue) return false;
    request.accessRecordDue = false;
    readsDue -= 1;
    return true;
  };

  const write = async (
    request: FastifyRequest,
    kind: AccessRecordKind,
    patients: readonly string[],
    outcome: string,
  ): Promise<boolean> => {
    const principal = request.principal;
    if (principal === undefined) return true; // anonymous routes carry no patient data
    try {
      await keep(
        accessRecord({
          accessId: randomUUID(),
          at: options.clock(),
          actor: principal,
          kind,
          route: routeOf(request),
          patients,
          correlationId: String(request.id),
          outcome,
        }),
      );
      return true;
    } catch (error) {
      request.log.error({ err: error }, 'access record not written: the request is refused');
      return false;
    }
  };

  app.decorate('accessLog', {
    async streamEnded(request: FastifyRequest, patients: readonly string[], outcome: string) {
      // The data has left by now: a record that cannot be written is logged for the operator.
      if (!(await write(request, 'EXPORT', [...new Set(patients)].sort(), outcome)))
        request.log.error('the access record of an ended export could not be written');
    },
  });

  // Before an admin action or an export runs.
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const rule = request.routeOptions.config.access;
    if (rule?.access !== 'token') return;
    const exporting = EXPORT_ROUTES.has(routeOf(request));
    if (rule.kind !== 'admin' && !exporting) return;
    if (!(await write(request, exporting ? 'EXPORT' : 'ADMIN', [], 'started')))
      return replyProblem(reply, unavailable(String(request.id)));
  });

  const recordsReads = (request: FastifyRequest) => {
    const rule = request.routeOptions.config.access;
    return rule?.access === 'token' && rule.kind === 'read' && !EXPORT_ROUTES.has(routeOf(request));
  };

  app.decorateRequest('accessRecordDue', false);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!recordsReads(request)) return;
    request.accessRecordDue = true;
    readsDue += 1;
  });
  // However a read ended (an error answer, a client gone), its record is no longer awaited.
  const ended = async (request: FastifyRequest) => {
    if (noLongerDue(request)) keep.release();
  };
  app.addHook('onResponse', ended);
  app.addHook('onRequestAbort', ended);

  // The answer's patients, read from the object a route returns (no second parse of its text).
  app.decorateRequest('accessPatients', undefined);
  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (recordsReads(request) && reply.statusCode >= 200 && reply.statusCode <= 299)
      request.accessPatients = patientsIn(payload, pathPatient(request));
    return payload;
  });

  // Before a read's answer leaves.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!recordsReads(request)) return payload;
    // Counted off before its own record joins the queue (which then looks whether to wait on).
    const wasDue = noLongerDue(request);
    if (reply.statusCode < 200 || reply.statusCode > 299) {
      if (wasDue) keep.release();
      return payload;
    }
    const patients = request.accessPatients ?? patientsIn(bodyOf(payload), pathPatient(request));
    if (await write(request, 'READ', patients, String(reply.statusCode))) return payload;
    const { contentType, body } = problemJson(unavailable(String(request.id)));
    void reply.status(503).header('content-type', contentType).header('retry-after', '5');
    return JSON.stringify(body);
  });
}
