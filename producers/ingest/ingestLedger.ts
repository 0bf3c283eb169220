/**
 * What ingest keeps in PostgreSQL about messages it took: one read before publishing (the
 * identity mappings of the message's patients, and which of its facts are already published)
 * and one write after Kafka acknowledged (the published dedup keys and the identities learned,
 * in one statement, so they commit together). Messages in flight together share those
 * statements (group commit): each statement costs a round trip, a socket write and a commit,
 * which the MLLP hot path feels. I/O, apart from `mappingsOf`.
 */
import type { NhsNumber } from '../../core/nhsNumber.js';
import { groupCommit } from '../../platform/groupCommit.js';
import type { Pool } from '../../platform/postgres.js';
import type { ClinicalEvent, LocalIdentifier } from '../../schemas/generated/events.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { KnownMapping } from '../patient/decidePatient.js';

export type KnownFacts = {
  /** Per patient asked about, in order: every mapping of its local identifiers and of its NHS number. */
  readonly mappingsByPatient: readonly (readonly KnownMapping[])[];
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

type KnownFactsRequest = { readonly patients: readonly PatientIdentifiers[]; readonly dedupKeys: readonly string[] };

/** One read for many messages; each gets the mappings of its patients and its published keys. */
async function readKnownFactsTogether(pool: Pool, requests: readonly KnownFactsRequest[]): Promise<KnownFacts[]> {
  const patients = requests.flatMap((r) => r.patients);
  const locals = patients.flatMap((p) => p.localIdentifiers);
  const nhsNumbers = patients.flatMap((p) => (p.nhsNumber === undefined ? [] : [p.nhsNumber]));
  const dedupKeys = requests.flatMap((r) => r.dedupKeys);
  if (locals.length === 0 && nhsNumbers.length === 0 && dedupKeys.length === 0)
    return requests.map((r) => ({ mappingsByPatient: r.patients.map(() => []), published: new Set() }));
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
  return requests.map((r) => ({
    mappingsByPatient: r.patients.map((p) => mappingsOf(p, mappings)),
    published: new Set(r.dedupKeys.filter((k) => published.has(k))),
  }));
}

const RECORD_ACCEPTED = `
  WITH published AS (
    INSERT INTO ingest_published_events (dedup_key, event_id, event_type, correlation_id, receipt_id)
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::uuid[])
    ON CONFLICT (dedup_key) DO NOTHING
  )
  INSERT INTO patient_identity_xref (authority, local_id, nhs_number, learned_from_receipt)
  SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::uuid[])
  ON CONFLICT (authority, local_id) DO NOTHING
  RETURNING authority, local_id`;

export type Learning = { readonly nhsNumber: NhsNumber; readonly locals: readonly LocalIdentifier[] };

export type Accepted = {
  readonly events: readonly ClinicalEvent[];
  readonly learnings: readonly Learning[];
  readonly receiptId: string;
};

export type LearnedMapping = { readonly authority: string; readonly localId: string };

/**
 * One write for many messages. Each gets back the mappings it taught that were new; when two
 * messages taught the same one at once, both get it (their releases are idempotent).
 */
async function recordAcceptedTogether(pool: Pool, requests: readonly Accepted[]): Promise<LearnedMapping[][]> {
  const events = requests.flatMap((r) => r.events.map((event) => ({ event, receiptId: r.receiptId })));
  const learned = requests.flatMap((r) =>
    r.learnings.flatMap(({ nhsNumber, locals }) =>
      locals.map((local) => ({ nhsNumber, local, receiptId: r.receiptId })),
    ),
  );
  if (events.length === 0 && learned.length === 0) return requests.map(() => []);
  const result = await pool.query<{ authority: string; local_id: string }>(RECORD_ACCEPTED, [
    events.map((e) => e.event.dedupKey),
    events.map((e) => e.event.eventId),
    events.map((e) => e.event.type),
    events.map((e) => e.event.correlationId),
    events.map((e) => e.receiptId),
    learned.map((l) => l.local.authority),
    learned.map((l) => l.local.value),
    learned.map((l) => l.nhsNumber),
    learned.map((l) => l.receiptId),
  ]);
  const isNew = new Set(result.rows.map((r) => `${r.authority}\u0000${r.local_id}`));
  return requests.map((r) =>
    r.learnings
      .flatMap((l) => l.locals)
      .filter((local) => isNew.has(`${local.authority}\u0000${local.value}`))
      .map((local) => ({ authority: local.authority, localId: local.value })),
  );
}

export type IngestLedger = {
  /** Per patient, the mappings of its identifiers and NHS number; and which of the keys are published. */
  readKnownFacts(patients: readonly PatientIdentifiers[], dedupKeys: readonly string[]): Promise<KnownFacts>;
  /**
   * Records the events Kafka acknowledged as published and the identities the message taught;
   * returns the mappings that were new (the ones parked inputs may be waiting on).
   */
  recordAccepted(accepted: Accepted): Promise<readonly LearnedMapping[]>;
};

export function createIngestLedger(pool: Pool): IngestLedger {
  const read = groupCommit<KnownFactsRequest, KnownFacts>({ run: (rs) => readKnownFactsTogether(pool, rs) });
  const record = groupCommit<Accepted, readonly LearnedMapping[]>({ run: (rs) => recordAcceptedTogether(pool, rs) });
  return {
    readKnownFacts: (patients, dedupKeys) => read({ patients, dedupKeys }),
    recordAccepted: (accepted) => record(accepted),
  };
}
