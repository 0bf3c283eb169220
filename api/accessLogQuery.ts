/**
 * The access log query (`GET /audit/access`): by patient, by actor (the token subject), or
 * both, optionally within `from`/`to`, oldest first, with an opaque cursor (the last record's
 * time and id). A query naming neither a patient nor an actor is refused: the access log is
 * read about someone. Each refusal names the parameter. Pure.
 */
import { err, ok, type Result } from '../core/result.js';
import type { AccessCursor, AccessLogFilter } from '../projections/audit-index/accessLogQueries.js';
import {
  type BadParameter,
  badCursor,
  decodeCursorObject,
  encodeCursorObject,
  optionalInstant,
  patientFilter,
} from './auditQuery.js';

export const ACCESS_PAGE = { default: 100, max: 1000 } as const;

export type AccessLogQuery = {
  readonly patient?: string | undefined;
  readonly actor?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const encodeAccessCursor = (cursor: AccessCursor): string =>
  encodeCursorObject({ t: cursor.at, a: cursor.accessId });

export function decodeAccessCursor(text: string): AccessCursor | undefined {
  const value = text.length <= 200 ? decodeCursorObject(text) : undefined;
  if (value === undefined) return undefined;
  if (typeof value.t !== 'string' || !AT.test(value.t) || Number.isNaN(Date.parse(value.t))) return undefined;
  if (typeof value.a !== 'string' || !UUID.test(value.a)) return undefined;
  return { at: value.t, accessId: value.a };
}

export function parseAccessLogQuery(query: AccessLogQuery): Result<AccessLogFilter, BadParameter> {
  const patient = patientFilter(query.patient);
  if (!patient.ok) return patient;
  const nhsNumber = patient.value;
  if (nhsNumber === undefined && query.actor === undefined)
    return err({
      code: 'CEL_ERR_UNBOUNDED_QUERY',
      detail: 'name a patient (patient=NHS number) or an actor (actor=token subject)',
    });
  const from = optionalInstant(query.from, 'from');
  if (!from.ok) return from;
  const to = optionalInstant(query.to, 'to');
  if (!to.ok) return to;
  if (from.value !== undefined && to.value !== undefined && to.value <= from.value)
    return err({ code: 'CEL_ERR_BAD_RANGE', detail: 'to must be later than from', location: '/to' });
  let after: AccessCursor | undefined;
  if (query.cursor !== undefined) {
    after = decodeAccessCursor(query.cursor);
    if (after === undefined) return err(badCursor);
  }
  return ok({ nhsNumber, actor: query.actor, from: from.value, to: to.value, after, limit: query.limit });
}
