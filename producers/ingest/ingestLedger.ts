/**
 * What ingest keeps in PostgreSQL about messages it took, in two round trips per message: one
 * read before publishing (the identity mappings of the message's patients, and which of its
 * facts are already published) and one write after Kafka acknowledged (the published dedup
 * keys and the identities learned, in one statement, so they commit together). Each statement
 * costs a round trip and a socket write per message, which the MLLP hot path feels. I/O, apart
 * from `mappingsOf`.
 */
import type { NhsNumber } from '../../core/nhsNumber.js';
import type { Pool } from '../../platform/postgres.js';
import type { ClinicalEvent, LocalIdentifier } from '../../schemas/generated/events.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { KnownMapping } from '../patient/decidePatient.js';

export type KnownFacts = {
  /** Every mapping of the patients' local identifiers and of their NHS numbers. */
  readonly mappings: readonly KnownMapping[];
  /** The given dedup keys that are already published. */
  readonly published: ReadonlySet<string>;
};

/** The mappings that concern one patient: of its local identifiers, or of its NHS number. Pure. */
export function mappingsOf(patient: PatientIdentifiers, mappings: readonly KnownMapping[]): readonly KnownMapping[] {
  return mappings.filter(
    (m) =>
      m.nhsNumber === patient.nhsNumber ||
      patient.localIdentifiers.some((l) => l.authority === m.authority && l.value === m.localId),
  );
}

const READ_KNOWN = `
  SELECT authority, local_id, nhs_number, NULL::text AS dedup_key FROM patient_identity_xref
   WHERE (authority, local_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      OR nhs_number = ANY($3::text[])
  UNION ALL
  SELECT NULL, NULL, NULL, dedup_key FROM ingest_published_events WHERE dedup_key = ANY($4::text[])`;

type KnownRow =
  | { authority: string; local_id: string; nhs_number: string; dedup_key: null }
  | { authority: null; local_id: null; nhs_number: null; dedup_key: string };

export async function readKnownFacts(
  pool: Pool,
  patients: readonly PatientIdentifiers[],
  dedupKeys: readonly string[],
): Promise<KnownFacts> {
  const locals = patients.flatMap((p) => p.localIdentifiers);
  const nhsNumbers = patients.flatMap((p) => (p.nhsNumber === undefined ? [] : [p.nhsNumber]));
  if (locals.length === 0 && nhsNumbers.length === 0 && dedupKeys.length === 0)
    return { mappings: [], published: new Set() };
  const result = await pool.query<KnownRow>(READ_KNOWN, [
    locals.map((l) => l.authority),
    locals.map((l) => l.value),
    nhsNumbers,
    dedupKeys,
  ]);
  const mappings: KnownMapping[] = [];
  const published = new Set<string>();
  for (const row of result.rows) {
    if (row.dedup_key !== null) published.add(row.dedup_key);
    else mappings.push({ authority: row.authority, localId: row.local_id, nhsNumber: row.nhs_number as NhsNumber });
  }
  return { mappings, published };
}

const RECORD_ACCEPTED = `
  WITH published AS (
    INSERT INTO ingest_published_events (dedup_key, event_id, event_type, correlation_id, receipt_id)
    SELECT d, e, t, c, $8::uuid FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[]) AS p(d, e, t, c)
    ON CONFLICT (dedup_key) DO NOTHING
  )
  INSERT INTO patient_identity_xref (authority, local_id, nhs_number, learned_from_receipt)
  SELECT a, l, n, $8::uuid FROM unnest($5::text[], $6::text[], $7::text[]) AS t(a, l, n)
  ON CONFLICT (authority, local_id) DO NOTHING
  RETURNING authority, local_id`;

export type Learning = { readonly nhsNumber: NhsNumber; readonly locals: readonly LocalIdentifier[] };

/**
 * Records the events Kafka acknowledged as published and the identities the message taught;
 * returns the mappings that were new (the ones parked inputs may be waiting on).
 */
export async function recordAccepted(
  pool: Pool,
  accepted: {
    readonly events: readonly ClinicalEvent[];
    readonly learnings: readonly Learning[];
    readonly receiptId: string;
  },
): Promise<readonly { readonly authority: string; readonly localId: string }[]> {
  const learned = accepted.learnings.flatMap(({ nhsNumber, locals }) => locals.map((local) => ({ nhsNumber, local })));
  if (accepted.events.length === 0 && learned.length === 0) return [];
  const result = await pool.query<{ authority: string; local_id: string }>(RECORD_ACCEPTED, [
    accepted.events.map((e) => e.dedupKey),
    accepted.events.map((e) => e.eventId),
    accepted.events.map((e) => e.type),
    accepted.events.map((e) => e.correlationId),
    learned.map((l) => l.local.authority),
    learned.map((l) => l.local.value),
    learned.map((l) => l.nhsNumber),
    accepted.receiptId,
  ]);
  return result.rows.map((r) => ({ authority: r.authority, localId: r.local_id }));
}
