/**
 * The audit index's writer: every record of the canonical topic becomes one audit_events row
 * (keyed by its log position) appended to its patient's hash chain, and audit_chain_heads
 * moves in the same transaction. A duplicate record on the log is a second row: the index
 * records the log, not the facts. I/O.
 */

import type { Tx } from '../../platform/postgres.js';
import type { IndexedRecord, LogIndex } from '../liveView.js';
import { appendToChains, type ChainHead, GENESIS_HASH, type NewAuditEntry } from './auditChain.js';

export const AUDIT_INDEX = 'audit-index';

export const auditEventsIndex: LogIndex = {
  name: AUDIT_INDEX,
  kind: 'log-index',
  async index(tx, topic, partition, records) {
    if (records.length === 0) return 0;
    // Lock the chains first (in NHS-number order, so two writers cannot deadlock): a record
    // already indexed by a writer that held them is then visible below, and skipped.
    const heads = await lockChainHeads(tx, [...new Set(records.map((r) => r.event.patient.nhsNumber))].sort());
    const indexed = await indexedOffsets(tx, topic, partition, records);
    const fresh = records.filter((r) => !indexed.has(r.offset));
    if (fresh.length === 0) return 0;
    const appended = appendToChains(topic, partition, fresh, heads);
    await insertEntries(tx, appended.entries);
    await moveChainHeads(tx, appended.heads);
    return fresh.length;
  },
};

const ENSURE_HEADS = `
  INSERT INTO audit_chain_heads (nhs_number, chain_seq, entry_hash)
  SELECT n, 0, $2::text FROM unnest($1::text[]) AS t(n)
  ON CONFLICT (nhs_number) DO NOTHING`;

const LOCK_HEADS = `
  SELECT nhs_number::text AS nhs_number, chain_seq::text AS chain_seq, entry_hash
    FROM audit_chain_heads WHERE nhs_number = ANY($1::text[])
   ORDER BY nhs_number FOR UPDATE`;

/** The heads of these patients' chains, locked; a patient never seen gets an empty chain (seq 0). */
async function lockChainHeads(tx: Tx, nhsNumbers: readonly string[]): Promise<ReadonlyMap<string, ChainHead>> {
  // A placeholder row first: FOR UPDATE cannot lock a row that does not exist yet.
  await tx.query(ENSURE_HEADS, [nhsNumbers, GENESIS_HASH]);
  const result = await tx.query<{ nhs_number: string; chain_seq: string; entry_hash: string }>(LOCK_HEADS, [
    nhsNumbers,
  ]);
  return new Map(result.rows.map((r) => [r.nhs_number, { chainSeq: BigInt(r.chain_seq), entryHash: r.entry_hash }]));
}

async function indexedOffsets(
  tx: Tx,
  topic: string,
  partition: number,
  records: readonly IndexedRecord[],
): Promise<ReadonlySet<bigint>> {
  const result = await tx.query<{ offset: string }>(
    `SELECT "offset"::text AS "offset" FROM audit_events
      WHERE topic = $1::text AND partition = $2::int AND "offset" = ANY($3::bigint[])`,
    [topic, partition, records.map((r) => r.offset.toString())],
  );
  return new Set(result.rows.map((r) => BigInt(r.offset)));
}

const INSERT_ENTRIES = `
  INSERT INTO audit_events (topic, partition, "offset", event_id, event_type, nhs_number, occurred_at, recorded_at,
                            correlation_id, source_channel, source_system, source_message_id, receipt_id,
                            payload, record_value, chain_seq, prev_hash, entry_hash)
  SELECT t.topic, t.partition, t.off, t.event_id, t.event_type, t.nhs_number, t.occurred_at, t.recorded_at,
         t.correlation_id, t.channel, t.system, t.message_id, t.receipt_id,
         t.payload::jsonb, t.record_value, t.chain_seq, t.prev_hash, t.entry_hash
    FROM unnest($1::text[], $2::int[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[], $14::text[], $15::bytea[],
                $16::bigint[], $17::text[], $18::text[])
      AS t(topic, partition, off, event_id, event_type, nhs_number, occurred_at, recorded_at,
           correlation_id, channel, system, message_id, receipt_id, payload, record_value,
           chain_seq, prev_hash, entry_hash)`;

async function insertEntries(tx: Tx, entries: readonly NewAuditEntry[]): Promise<void> {
  const column = <T>(f: (e: NewAuditEntry) => T) => entries.map(f);
  await tx.query(INSERT_ENTRIES, [
    column((e) => e.columns.topic),
    column((e) => e.columns.partition),
    column((e) => e.columns.offset),
    column((e) => e.columns.eventId),
    column((e) => e.columns.eventType),
    column((e) => e.columns.nhsNumber),
    column((e) => e.occurredAt.toISOString()),
    column((e) => e.recordedAt.toISOString()),
    column((e) => e.columns.correlationId),
    column((e) => e.columns.sourceChannel),
    column((e) => e.columns.sourceSystem),
    column((e) => e.columns.sourceMessageId),
    column((e) => e.columns.receiptId),
    column((e) => e.payloadJson),
    column((e) => e.recordValue),
    column((e) => e.columns.chainSeq),
    column((e) => e.prevHash),
    column((e) => e.entryHash),
  ]);
}

async function moveChainHeads(tx: Tx, heads: ReadonlyMap<string, ChainHead>): Promise<void> {
  await tx.query(
    `UPDATE audit_chain_heads h SET chain_seq = t.seq, entry_hash = t.hash
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(nhs, seq, hash)
      WHERE h.nhs_number = t.nhs`,
    [
      [...heads.keys()],
      [...heads.values()].map((h) => h.chainSeq.toString()),
      [...heads.values()].map((h) => h.entryHash),
    ],
  );
}
