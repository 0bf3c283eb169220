/**
 * The audit API's query rules: which filters make a query selective enough, how wide a time
 * range may be, and the opaque cursors (a log position; for a timeline, clinical time and log
 * position). Each refusal names the parameter at fault. Pure.
 */
import { isCalendarDay } from '../core/calendarInstant.js';
import { describeNhsNumberError, parseNhsNumber } from '../core/nhsNumber.js';
import { err, ok, type Result } from '../core/result.js';
import type { AuditEventFilter, LogPositionKey, TimelineKey } from '../projections/audit-index/queries.js';
import { queryInstant } from './queryInstant.js';

export const AUDIT_PAGE = { default: 100, max: 1000 } as const;
/** A time range alone may span at most this many days (a leap year). */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export type BadParameter = {
  readonly code:
    | 'CEL_ERR_INVALID_NHS_NUMBER'
    | 'CEL_ERR_BAD_INSTANT'
    | 'CEL_ERR_BAD_RANGE'
    | 'CEL_ERR_RANGE_TOO_WIDE'
    | 'CEL_ERR_UNBOUNDED_QUERY'
    | 'CEL_ERR_BAD_CURSOR';
  readonly detail: string;
  /** JSON pointer of the parameter (`/from`); absent when the fault is a missing combination. */
  readonly location?: string;
};

export type AuditEventQuery = {
  readonly patient?: string | undefined;
  readonly type?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly sourceMessageId?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
};

export type ParsedAuditEventQuery = {
  readonly filter: AuditEventFilter;
  readonly after: LogPositionKey | undefined;
  readonly limit: number;
};

/** An optional instant parameter (`from`, `to`). */
export function optionalInstant(raw: string | undefined, name: string): Result<Date | undefined, BadParameter> {
  return raw === undefined ? ok(undefined) : queryInstant(raw, name);
}

/** The optional `patient` filter as an NHS number; a malformed one is named. */
export function patientFilter(raw: string | undefined): Result<string | undefined, BadParameter> {
  if (raw === undefined) return ok(undefined);
  const parsed = parseNhsNumber(raw);
  if (parsed.ok) return ok(parsed.value);
  return err({
    code: 'CEL_ERR_INVALID_NHS_NUMBER',
    detail: `patient: ${describeNhsNumberError(parsed.error)}`,
    location: '/patient',
  });
}

/**
 * A query must name a patient, a correlation id or a source message id, or else bound clinical
 * time on both sides (`from` and `to`, at most 366 days apart); `type` alone is not selective.
 */
export function parseAuditEventQuery(query: AuditEventQuery): Result<ParsedAuditEventQuery, BadParameter> {
  const patient = patientFilter(query.patient);
  if (!patient.ok) return patient;
  const nhsNumber = patient.value;
  const from = optionalInstant(query.from, 'from');
  if (!from.ok) return from;
  const to = optionalInstant(query.to, 'to');
  if (!to.ok) return to;
  if (from.value !== undefined && to.value !== undefined) {
    if (to.value.getTime() <= from.value.getTime())
      return err({ code: 'CEL_ERR_BAD_RANGE', detail: 'to must be later than from', location: '/to' });
    if (to.value.getTime() - from.value.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      return err({
        code: 'CEL_ERR_RANGE_TOO_WIDE',
        detail: `from and to may be at most ${MAX_RANGE_DAYS} days apart`,
        location: '/to',
      });
    }
  }
  const selective =
    nhsNumber !== undefined ||
    query.correlationId !== undefined ||
    query.sourceMessageId !== undefined ||
    (from.value !== undefined && to.value !== undefined);
  if (!selective) {
    return err({
      code: 'CEL_ERR_UNBOUNDED_QUERY',
      detail: `give patient, correlationId or sourceMessageId, or both from and to (at most ${MAX_RANGE_DAYS} days apart)`,
      ...(from.value !== undefined ? { location: '/to' } : to.value !== undefined ? { location: '/from' } : {}),
    });
  }
  const after = query.cursor === undefined ? undefined : decodePositionCursor(query.cursor);
  if (query.cursor !== undefined && after === undefined) return err(badCursor);
  return ok({
    filter: {
      nhsNumber,
      type: query.type,
      from: from.value,
      to: to.value,
      correlationId: query.correlationId,
      sourceMessageId: query.sourceMessageId,
    },
    after,
    limit: query.limit,
  });
}

export const badCursor: BadParameter = {
  code: 'CEL_ERR_BAD_CURSOR',
  detail: 'cursor is not a cursor this API returned',
  location: '/cursor',
};

/** A cursor's fields as opaque base64url JSON, and back (undefined for anything this API did not issue). */
export const encodeCursorObject = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursorObject(text: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not a cursor this API issued
  }
}

const MAX_OFFSET = 2n ** 63n - 1n;

const isPartition = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 0 && p < 2 ** 31;
/** A Kafka offset as PostgreSQL's bigint holds it: 0 … 2^63 - 1, decimal without leading zeros. */
const isOffset = (o: unknown): o is string =>
  typeof o === 'string' && /^(0|[1-9]\d{0,18})$/.test(o) && BigInt(o) <= MAX_OFFSET;

const CURSOR_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)\.\d{6}Z$/;

/**
 * The timeline cursor's clinical time, as the index wrote it (to the microsecond, UTC): a day
 * the calendar has, in years 0001–9999 (what PostgreSQL and the index hold; stored events may
 * predate the clinical window, so the cursor is not held to it).
 */
function isCursorInstant(t: unknown): t is string {
  if (typeof t !== 'string') return false;
  const match = CURSOR_INSTANT.exec(t);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && isCalendarDay(year, month, day);
}

export const encodePositionCursor = (key: LogPositionKey): string =>
  encodeCursorObject({ p: key.partition, o: key.offset });

export function decodePositionCursor(text: string): LogPositionKey | undefined {
  const value = decodeCursorObject(text);
  return value !== undefined && isPartition(value.p) && isOffset(value.o)
    ? { partition: value.p, offset: value.o }
    : undefined;
}

export const encodeTimelineCursor = (key: TimelineKey): string =>
  encodeCursorObject({ t: key.occurredAt, p: key.partition, o: key.offset });

export function decodeTimelineCursor(text: string): TimelineKey | undefined {
  const value = decodeCursorObject(text);
  return value !== undefined && isCursorInstant(value.t) && isPartition(value.p) && isOffset(value.o)
    ? { occurredAt: value.t, partition: value.p, offset: value.o }
    : undefined;
}
