/**
 * The per-patient hash chain of the audit index: appending a batch's records to their
 * patients' chains, and verifying a stored chain. Each entry's hash is
 *
 *   entry_hash = sha256( prev_hash (hex text) ‖ sha256(record_value) ‖ sha256(auditEntryText(row)) )
 *
 * with prev_hash of the first entry 64 zeros; chain order is log order. Altering any stored
 * column or byte of a row changes its recomputed hash; deleting or reordering rows breaks the
 * sequence or the links. Pure (hashing is computation, not I/O).
 */
import { createHash } from 'node:crypto';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { type AuditEntryColumns, auditColumnsOf, auditEntryText } from './auditEntryText.js';
import { eventToJson } from './eventJson.js';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainHead = { readonly chainSeq: bigint; readonly entryHash: string };

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export function entryHash(prevHash: string, recordValue: Uint8Array, entryText: string): string {
  return createHash('sha256')
    .update(prevHash, 'utf8')
    .update(sha256(recordValue))
    .update(sha256(Buffer.from(entryText, 'utf8')))
    .digest('hex');
}

export type NewAuditEntry = {
  readonly columns: AuditEntryColumns;
  /** The event as JSON text, for the jsonb column (`columns.payloadText` is how PostgreSQL will print it). */
  readonly payloadJson: string;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly recordValue: Buffer;
  readonly prevHash: string;
  readonly entryHash: string;
};

/**
 * Appends the records (one partition, in offset order) to their patients' chains, starting
 * from `heads` (absent: a new chain). Returns the rows to insert and the new heads of the
 * chains it touched.
 */
export function appendToChains(
  topic: string,
  partition: number,
  records: readonly { readonly offset: bigint; readonly event: ClinicalEvent; readonly value: Buffer }[],
  heads: ReadonlyMap<string, ChainHead>,
): { readonly entries: readonly NewAuditEntry[]; readonly heads: ReadonlyMap<string, ChainHead> } {
  const current = new Map<string, ChainHead>();
  const entries: NewAuditEntry[] = [];
  for (const { offset, event, value } of records) {
    const nhs = event.patient.nhsNumber;
    const head = current.get(nhs) ?? heads.get(nhs) ?? { chainSeq: 0n, entryHash: GENESIS_HASH };
    const chainSeq = head.chainSeq + 1n;
    const columns = auditColumnsOf({ topic, partition, offset, chainSeq }, event);
    const hash = entryHash(head.entryHash, value, auditEntryText(columns));
    entries.push({
      columns,
      payloadJson: JSON.stringify(eventToJson(event)),
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt,
      recordValue: value,
      prevHash: head.entryHash,
      entryHash: hash,
    });
    current.set(nhs, { chainSeq, entryHash: hash });
  }
  return { entries, heads: current };
}

/** A row as stored, its columns read back in their canonical text forms. */
export type StoredAuditEntry = AuditEntryColumns & {
  readonly recordValue: Buffer;
  readonly prevHash: string;
  readonly entryHash: string;
};

export type BrokenLinkReason =
  /** No row holds this chain_seq (deleted), though a later one or the head says it existed. */
  | 'entry-missing'
  /** chain_seq repeats or goes back: rows were renumbered. */
  | 'sequence-broken'
  /** prev_hash is not the hash of the entry before it. */
  | 'prev-hash-mismatch'
  /** A stored column or byte of this row differs from what was chained. */
  | 'entry-hash-mismatch'
  /** chain order is not log order within the partition. */
  | 'out-of-log-order'
  /** The chain head does not match the last entry (the head was altered or is missing). */
  | 'head-mismatch';

export type BrokenLink = {
  readonly chainSeq: number;
  /** null for an entry that is missing. */
  readonly partition: number | null;
  readonly offset: string | null;
  readonly eventId: string | null;
  readonly reason: BrokenLinkReason;
};

export type ChainVerdict = {
  readonly entries: number;
  readonly ok: boolean;
  readonly firstBrokenLink?: BrokenLink;
};

/** Verifies one patient's stored chain (`entries` in chain_seq order) against its head. */
export function verifyChain(entries: readonly StoredAuditEntry[], head: ChainHead | undefined): ChainVerdict {
  const broken = (e: StoredAuditEntry, reason: BrokenLinkReason): ChainVerdict => ({
    entries: entries.length,
    ok: false,
    firstBrokenLink: {
      chainSeq: Number(e.chainSeq),
      partition: e.partition,
      offset: e.offset,
      eventId: e.eventId,
      reason,
    },
  });
  const missing = (chainSeq: bigint): ChainVerdict => ({
    entries: entries.length,
    ok: false,
    firstBrokenLink: {
      chainSeq: Number(chainSeq),
      partition: null,
      offset: null,
      eventId: null,
      reason: 'entry-missing',
    },
  });
  let prev = GENESIS_HASH;
  let expectedSeq = 1n;
  let last: StoredAuditEntry | undefined;
  for (const e of entries) {
    const seq = BigInt(e.chainSeq);
    if (seq > expectedSeq) return missing(expectedSeq);
    if (seq < expectedSeq) return broken(e, 'sequence-broken');
    if (e.prevHash !== prev) return broken(e, 'prev-hash-mismatch');
    const recomputed = entryHash(prev, e.recordValue, auditEntryText(e));
    if (recomputed !== e.entryHash) return broken(e, 'entry-hash-mismatch');
    if (last !== undefined && last.partition === e.partition && BigInt(e.offset) <= BigInt(last.offset))
      return broken(e, 'out-of-log-order');
    // The next link is checked against what this entry's hash must be, never a stored value.
    prev = recomputed;
    expectedSeq += 1n;
    last = e;
  }
  const count = expectedSeq - 1n;
  if (head !== undefined && head.chainSeq > count) return missing(count + 1n);
  if (last !== undefined && (head === undefined || head.chainSeq !== count || head.entryHash !== prev))
    return broken(last, 'head-mismatch');
  return { entries: entries.length, ok: true };
}
