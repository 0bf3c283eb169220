/**
 * The access log's index: every access record (the access-log topic) becomes one access_log
 * row and one access_log_patients row per patient it touched, so "who looked at this patient"
 * and "what did this person look at" are range scans. Keyed by access id: a record on the log
 * twice is indexed once. I/O.
 */
import type { AccessRecord } from '../../schemas/generated/events.js';
import type { LogIndex } from '../liveView.js';

export const ACCESS_LOG = 'access-log';

const INSERT_ACCESS = `
  WITH rows AS (
    INSERT INTO access_log (access_id, at, actor_sub, actor_roles, client_id, purpose_of_use, kind, route,
                            patients, correlation_id, outcome, topic, partition, "offset")
    SELECT t.access_id, t.at, t.actor_sub, string_to_array(t.roles, ' '), t.client_id, t.purpose, t.kind, t.route,
           CASE WHEN t.patients = '' THEN ARRAY[]::text[] ELSE string_to_array(t.patients, ' ') END,
           t.correlation_id, t.outcome, $11::text, $12::int, t.off
      FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                  $8::text[], $9::text[], $10::text[], $13::bigint[], $14::text[])
        AS t(access_id, at, actor_sub, roles, client_id, purpose, kind, route, patients, correlation_id, off, outcome)
    ON CONFLICT (access_id) DO NOTHING
    RETURNING access_id, at, patients
  )
  , linked AS (
    INSERT INTO access_log_patients (nhs_number, at, access_id)
    SELECT DISTINCT p.nhs_number, r.at, r.access_id FROM rows r CROSS JOIN LATERAL unnest(r.patients) AS p(nhs_number)
  )
  SELECT count(*)::int AS n FROM rows`;

export const accessLogIndex: LogIndex<AccessRecord> = {
  name: ACCESS_LOG,
  kind: 'log-index',
  async index(tx, topic, partition, records) {
    if (records.length === 0) return 0;
    const access = records.map((r) => r.event);
    const inserted = await tx.query<{ n: number }>(INSERT_ACCESS, [
      access.map((a) => a.accessId),
      access.map((a) => a.at.toISOString()),
      access.map((a) => a.actorSub),
      // Roles and NHS numbers hold no spaces (role names, ten digits), so they travel joined.
      access.map((a) => a.actorRoles.join(' ')),
      access.map((a) => a.clientId),
      access.map((a) => a.purposeOfUse),
      access.map((a) => a.kind),
      access.map((a) => a.route),
      access.map((a) => a.patients.join(' ')),
      access.map((a) => a.correlationId),
      topic,
      partition,
      records.map((r) => r.offset.toString()),
      access.map((a) => a.outcome),
    ]);
    return inserted.rows[0]?.n ?? 0;
  },
};
