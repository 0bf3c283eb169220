/**
 * What ingest keeps in PostgreSQL about messages it took: one read before publishing (the
 * identity mappings of the message's patients, which of its facts are already published, and
 * the content hash each of its source identities was accepted with) and one write after Kafka
 * acknowledged (the published dedup keys, the source identities with their content hashes and
 * the identities learned, in one statement, so they commit together). Messages in flight
 * together share those statements (group commit): each statement costs a round trip, a socket
 * write and a commit, which the MLLP hot path feels.
 *
 * The write comes after the acknowledgement, so it must not fail the message: every key it
 * writes is indexed by its SHA-256 (no sender's value can exceed an index row), every value it
 * binds was bound by the read before publishing (so one PostgreSQL refuses is refused before
 * anything is published), and a write that fails all the same (PostgreSQL lost) is kept in
 * memory, counted by every later read as written, and retried with backoff until it lands: a
 * resend meanwhile is still a duplicate, never a second record on the log. I/O, apart from
 * `mappingsOf`.
 */
import type { NhsNumber } from '../../core/nhsNumber.js';
import { groupCommit } from '../../platform/groupCommit.js';
import type { Logger } from '../../platform/logger.js';
import { isTransientPgError, type Pool } from '../../platform/postgres.js';
import { type RetryOptions, withRetry } from '../../platform/retry.js';
import type { ClinicalEvent, LocalIdentifier } from '../../schemas/generated/events.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { KnownMapping } from '../patient/decidePatient.js';

export type KnownFacts = {
  /** Per patient asked about, in order: every mapping of its local identifiers and of its NHS number. */
  readonly mappingsByPatient: readonly (readonly KnownMapping[])[];
  /** The given dedup keys that are already published. */
  readonly published: ReadonlySet<string>;
  /**
   * The content hash each given source identity was accepted with; an identity absent here was
   * never accepted, or was accepted before content hashes were kept (then only its dedup keys count).
   */
  readonly contentHashes: ReadonlyMap<string, string>;
};

/** The mappings that concern one patient: of its local identifiers, or of its NHS number. Pure. */
export function mappingsOf(patient: PatientIdentifiers, mappings: readonly KnownMapping[]): readonly KnownMapping[] {
  return mappings.filter(
    (m) =>
      m.nhsNumber === patient.nhsNumber ||
      patient.localIdentifiers.some((l) => l.authority === m.authority && l.value === m.localId),
  );
}

// Every lookup goes through the hashes the keys are indexed by (migration 0009's functions, the
// generated columns' own).
const READ_KNOWN = `
  SELECT authority, local_id, nhs_number, NULL::text AS dedup_key, NULL::text AS identity, NULL::text AS content_hash
    FROM patient_identity_xref
   WHERE identifier_hash IN (SELECT ingest_identifier_hash(a, l) FROM unnest($1::text[], $2::text[]) AS u(a, l))
      OR nhs_number = ANY($3::text[])
  UNION ALL
  SELECT NULL, NULL, NULL, dedup_key, NULL, NULL FROM ingest_published_events
   WHERE dedup_key_hash IN (SELECT ingest_key_hash(k) FROM unnest($4::text[]) AS k)
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, identity, content_hash FROM ingest_source_messages
   WHERE identity_hash IN (SELECT ingest_key_hash(i) FROM unnest($5::text[]) AS i)`;

type KnownRow = {
  authority: string | null;
  local_id: string | null;
  nhs_number: string | null;
  dedup_key: string | null;
  identity: string | null;
  content_hash: string | null;
};

type KnownFactsRequest = {
  readonly patients: readonly PatientIdentifiers[];
  readonly dedupKeys: readonly string[];
  readonly identities: readonly string[];
};

/** What a read finds: in the database, or in the records still waiting to be written. */
type Found = {
  readonly mappings: readonly KnownMapping[];
  readonly published: ReadonlySet<string>;
  readonly contentHashes: ReadonlyMap<string, string>;
};

/** Each request's own share of what was found. Pure. */
function answerEach(requests: readonly KnownFactsRequest[], found: readonly Found[]): KnownFacts[] {
  const mappings = found.flatMap((f) => f.mappings);
  const isPublished = (key: string) => found.some((f) => f.published.has(key));
  const hashOf = (identity: string) => found.map((f) => f.contentHashes.get(identity)).find((h) => h !== undefined);
  return requests.map((r) => ({
    mappingsByPatient: r.patients.map((p) => mappingsOf(p, mappings)),
    published: new Set(r.dedupKeys.filter(isPublished)),
    contentHashes: new Map(
      r.identities.flatMap((identity) => {
        const hash = hashOf(identity);
        return hash === undefined ? [] : [[identity, hash] as const];
      }),
    ),
  }));
}

/** One read for many messages. */
async function readKnownTogether(pool: Pool, requests: readonly KnownFactsRequest[]): Promise<Found> {
  const patients = requests.flatMap((r) => r.patients);
  const locals = patients.flatMap((p) => p.localIdentifiers);
  const nhsNumbers = patients.flatMap((p) => (p.nhsNumber === undefined ? [] : [p.nhsNumber]));
  const dedupKeys = requests.flatMap((r) => r.dedupKeys);
  const identities = requests.flatMap((r) => r.identities);
  const found = {
    mappings: [] as KnownMapping[],
    published: new Set<string>(),
    contentHashes: new Map<string, string>(),
  };
  if (locals.length === 0 && nhsNumbers.length === 0 && dedupKeys.length === 0 && identities.length === 0) return found;
  const result = await pool.query<KnownRow>(READ_KNOWN, [
    locals.map((l) => l.authority),
    locals.map((l) => l.value),
    nhsNumbers,
    dedupKeys,
    identities,
  ]);
  for (const row of result.rows) {
    if (row.dedup_key !== null) found.published.add(row.dedup_key);
    else if (row.identity !== null && row.content_hash !== null)
      found.contentHashes.set(row.identity, row.content_hash);
    else if (row.authority !== null && row.local_id !== null && row.nhs_number !== null)
      found.mappings.push({ authority: row.authority, localId: row.local_id, nhsNumber: row.nhs_number as NhsNumber });
  }
  return found;
}

const RECORD_ACCEPTED = `
  WITH published AS (
    INSERT INTO ingest_published_events (dedup_key, event_id, event_type, correlation_id, receipt_id)
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::uuid[])
    ON CONFLICT (dedup_key_hash) DO NOTHING
  ), sources AS (
    INSERT INTO ingest_source_messages (identity, content_hash, receipt_id)
    SELECT * FROM unnest($10::text[], $11::text[], $12::uuid[])
    ON CONFLICT (identity_hash) DO NOTHING
  )
  INSERT INTO patient_identity_xref (authority, local_id, nhs_number, learned_from_receipt)
  SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::uuid[])
  ON CONFLICT (identifier_hash) DO NOTHING
  RETURNING authority, local_id`;

export type Learning = { readonly nhsNumber: NhsNumber; readonly locals: readonly LocalIdentifier[] };

/** A source identity and the hash of the content it was accepted with (the first content wins). */
export type AcceptedSource = { readonly identity: string; readonly contentHash: string };

export type Accepted = {
  readonly events: readonly ClinicalEvent[];
  readonly learnings: readonly Learning[];
  readonly sources: readonly AcceptedSource[];
  readonly receiptId: string;
};

export type LearnedMapping = { readonly authority: string; readonly localId: string };

/** What records not written yet count as, for a read (pure). */
function foundIn(records: Iterable<Accepted>): Found {
  const mappings: KnownMapping[] = [];
  const published = new Set<string>();
  const contentHashes = new Map<string, string>();
  for (const record of records) {
    for (const event of record.events) published.add(event.dedupKey);
    for (const { identity, contentHash } of record.sources)
      if (!contentHashes.has(identity)) contentHashes.set(identity, contentHash);
    for (const { nhsNumber, locals } of record.learnings)
      for (const local of locals) mappings.push({ authority: local.authority, localId: local.value, nhsNumber });
  }
  return { mappings, published, contentHashes };
}

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
  const sources = requests.flatMap((r) => r.sources.map((source) => ({ source, receiptId: r.receiptId })));
  if (events.length === 0 && learned.length === 0 && sources.length === 0) return requests.map(() => []);
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
    sources.map((s) => s.source.identity),
    sources.map((s) => s.source.contentHash),
    sources.map((s) => s.receiptId),
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
  /**
   * Per patient, the mappings of its identifiers and NHS number; which of the keys are
   * published; and the content hash each identity was accepted with.
   */
  readKnownFacts(
    patients: readonly PatientIdentifiers[],
    dedupKeys: readonly string[],
    identities: readonly string[],
  ): Promise<KnownFacts>;
  /**
   * Records the events Kafka acknowledged as published, the source identities with their content
   * hashes and the identities the message taught; returns the mappings that were new (the ones
   * parked inputs may be waiting on). Never rejects: a write that fails is kept and retried (see
   * the module comment), and the mappings it teaches go to `onRecordedLater` once it lands.
   */
  recordAccepted(accepted: Accepted): Promise<readonly LearnedMapping[]>;
  /** Resolves when no record is waiting to be written, or when the next retry has failed (tests). */
  settled(): Promise<void>;
  /** Records waiting to be written (retried) or that could not be (kept in memory only). */
  unrecordedCount(): number;
  /** Stops retrying; records still unwritten are logged. */
  close(): Promise<void>;
};

export type IngestLedgerOptions = {
  readonly logger?: Logger;
  /** Mappings taught by records written only on a retry: parked inputs may be waiting on them. */
  readonly onRecordedLater?: (learned: readonly LearnedMapping[]) => void;
  /** How the failed writes are retried (default: 250 ms doubling to 10 s, until they land). */
  readonly retry?: Partial<Omit<RetryOptions, 'retriable' | 'signal' | 'onRetry'>>;
};

export function createIngestLedger(pool: Pool, options: IngestLedgerOptions = {}): IngestLedger {
  const log = options.logger?.child({ module: 'ingest-ledger' });
  /** Acknowledged by Kafka, not yet in PostgreSQL: retried until written. */
  const unrecorded = new Set<Accepted>();
  /** Acknowledged by Kafka and refused by PostgreSQL for good: kept so this process still answers resends as duplicates. */
  const unwritable = new Set<Accepted>();
  const stop = new AbortController();
  let draining: Promise<void> | undefined;

  const read = groupCommit<KnownFactsRequest, KnownFacts>({
    run: async (requests) => {
      // Taken before the database read: a record the retry writes meanwhile is then found in one place or the other.
      const waiting = foundIn([...unrecorded, ...unwritable]);
      return answerEach(requests, [waiting, await readKnownTogether(pool, requests)]);
    },
  });
  const record = groupCommit<Accepted, readonly LearnedMapping[]>({ run: (rs) => recordAcceptedTogether(pool, rs) });

  const drain = async (): Promise<void> => {
    while (unrecorded.size > 0 && !stop.signal.aborted) {
      const batch = [...unrecorded];
      try {
        const learned = await withRetry(() => recordAcceptedTogether(pool, batch), {
          attempts: 'unlimited',
          initialDelayMs: 250,
          maxDelayMs: 10_000,
          ...options.retry,
          retriable: isTransientPgError,
          signal: stop.signal,
          onRetry: (error, attempt, delayMs) =>
            log?.warn({ err: error, attempt, retryInMs: delayMs, records: batch.length }, 'ledger write retried'),
        });
        for (const accepted of batch) unrecorded.delete(accepted);
        log?.info({ records: batch.length }, 'ledger records written on a retry');
        options.onRecordedLater?.(learned.flat());
      } catch (error) {
        if (stop.signal.aborted) return;
        // Not a lost connection: PostgreSQL refuses these rows. They are on the log; this process
        // keeps answering their resends as duplicates, and a person must look.
        for (const accepted of batch) {
          unrecorded.delete(accepted);
          unwritable.add(accepted);
        }
        log?.error({ err: error, records: batch.length }, 'ledger records refused by PostgreSQL after publishing');
      }
    }
  };

  return {
    readKnownFacts: (patients, dedupKeys, identities) => read({ patients, dedupKeys, identities }),
    async recordAccepted(accepted) {
      try {
        return await record(accepted);
      } catch (error) {
        // The events are on the log: the sender is told so, and the record is written later.
        unrecorded.add(accepted);
        log?.warn(
          { err: error, receiptId: accepted.receiptId, events: accepted.events.length },
          'ledger write failed after publishing; kept and retried',
        );
        draining ??= drain().finally(() => {
          draining = undefined;
        });
        return [];
      }
    },
    settled: async () => {
      while (draining !== undefined) await draining;
    },
    unrecordedCount: () => unrecorded.size + unwritable.size,
    async close() {
      stop.abort();
      await draining;
      const left = unrecorded.size + unwritable.size;
      if (left > 0)
        log?.error(
          { records: left },
          'ledger records not written at shutdown: their facts are on the log; a resend after restart publishes them again',
        );
    },
  };
}
