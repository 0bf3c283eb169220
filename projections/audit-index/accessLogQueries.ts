/** Reads of the access log's index: a page of records about a patient, by an actor, or both. I/O. */
import type { Pool } from '../../platform/postgres.js';

export type AccessCursor = { readonly at: string; readonly accessId: string };

export type AccessLogFilter = {
  readonly nhsNumber: string | undefined;
  readonly actor: string | undefined;
  readonly from: Date | undefined;
  readonly to: Date | undefined;
  readonly after: AccessCursor | undefined;
  readonly limit: number;
};

export type AccessLogRow = {
  readonly accessId: string;
  readonly at: Date;
  readonly actor: { readonly sub: string; readonly roles: readonly string[]; readonly clientId: string };
  readonly purposeOfUse: string;
  readonly kind: string;
  readonly route: string;
  readonly patients: readonly string[];
  readonly correlationId: string;
  readonly outcome: string;
};

type Row = {
  access_id: string;
  at: Date;
  actor_sub: string;
  actor_roles: string[];
  client_id: string;
  purpose_of_use: string;
  kind: string;
  route: string;
  patients: string[];
  correlation_id: string;
  outcome: string;
};

const COLUMNS = `l.access_id::text AS access_id, l.at, l.actor_sub, l.actor_roles, l.client_id, l.purpose_of_use,
  l.kind, l.route, l.patients, l.correlation_id, l.outcome`;

// By patient: the patient index, then the records (an actor, when given, filters them).
const BY_PATIENT = `
  SELECT ${COLUMNS}
    FROM access_log_patients p JOIN access_log l ON l.access_id = p.access_id
   WHERE p.nhs_number = $1::text
     AND ($2::text IS NULL OR l.actor_sub = $2::text)
     AND ($3::timestamptz IS NULL OR p.at >= $3::timestamptz)
     AND ($4::timestamptz IS NULL OR p.at < $4::timestamptz)
     AND ($5::timestamptz IS NULL OR (p.at, p.access_id) > ($5::timestamptz, $6::uuid))
   ORDER BY p.at, p.access_id
   LIMIT $7::int`;

const BY_ACTOR = `
  SELECT ${COLUMNS}
    FROM access_log l
   WHERE l.actor_sub = $1::text
     AND ($2::timestamptz IS NULL OR l.at >= $2::timestamptz)
     AND ($3::timestamptz IS NULL OR l.at < $3::timestamptz)
     AND ($4::timestamptz IS NULL OR (l.at, l.access_id) > ($4::timestamptz, $5::uuid))
   ORDER BY l.at, l.access_id
   LIMIT $6::int`;

const rowOf = (r: Row): AccessLogRow => ({
  accessId: r.access_id,
  at: r.at,
  actor: { sub: r.actor_sub, roles: r.actor_roles, clientId: r.client_id },
  purposeOfUse: r.purpose_of_use,
  kind: r.kind,
  route: r.route,
  patients: r.patients,
  correlationId: r.correlation_id,
  outcome: r.outcome,
});

export async function pageAccessLog(pool: Pool, filter: AccessLogFilter): Promise<readonly AccessLogRow[]> {
  const from = filter.from?.toISOString() ?? null;
  const to = filter.to?.toISOString() ?? null;
  const afterAt = filter.after?.at ?? null;
  const afterId = filter.after?.accessId ?? null;
  const result =
    filter.nhsNumber !== undefined
      ? await pool.query<Row>(BY_PATIENT, [
          filter.nhsNumber,
          filter.actor ?? null,
          from,
          to,
          afterAt,
          afterId,
          filter.limit,
        ])
      : await pool.query<Row>(BY_ACTOR, [filter.actor ?? '', from, to, afterAt, afterId, filter.limit]);
  return result.rows.map(rowOf);
}
