/**
 * Taking an anchor of the audit chains and checking the stored rows against one (see
 * auditAnchor.ts). An anchor is taken from one snapshot: the audit index's stored offsets and
 * its chain heads, which every batch moves together. Checking recomputes each patient's head
 * at the anchored position from the stored rows. I/O (SQL).
 */
import { type Pool, withSnapshot } from '../../platform/postgres.js';
import {
  type AnchorHead,
  type AnchorPosition,
  type AnchorVerdict,
  type AuditAnchor,
  compareWithAnchor,
  makeAnchor,
} from './auditAnchor.js';
import { AUDIT_INDEX } from './auditEventsIndex.js';

type HeadRow = { nhs_number: string; chain_seq: string; entry_hash: string };
const toHead = (r: HeadRow): AnchorHead => ({
  nhsNumber: r.nhs_number,
  chainSeq: BigInt(r.chain_seq),
  entryHash: r.entry_hash,
});

export async function takeAnchor(pool: Pool, now: () => Date = () => new Date()): Promise<AuditAnchor> {
  return withSnapshot(pool, async (tx) => {
    const offsets = await tx.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset::text AS next_offset FROM view_stored_offsets WHERE view = $1::text',
      [AUDIT_INDEX],
    );
    const position = new Map<string, Map<number, bigint>>();
    for (const r of offsets.rows) {
      const topic = position.get(r.topic) ?? new Map<number, bigint>();
      topic.set(r.partition, BigInt(r.next_offset));
      position.set(r.topic, topic);
    }
    // chain_seq 0 is a head row made for locking, before its patient's first entry.
    const heads = await tx.query<HeadRow>(
      `SELECT nhs_number::text AS nhs_number, chain_seq::text AS chain_seq, entry_hash
         FROM audit_chain_heads WHERE chain_seq > 0`,
    );
    return makeAnchor(now(), position, heads.rows.map(toHead));
  });
}

/** Each patient's last stored entry before the position (a full scan of the covered rows). */
export async function headsAt(pool: Pool, position: AnchorPosition): Promise<readonly AnchorHead[]> {
  const partitions = [...position].flatMap(([topic, offsets]) =>
    [...offsets].map(([partition, next]) => ({ topic, partition, next })),
  );
  const result = await pool.query<HeadRow>(
    `SELECT DISTINCT ON (e.nhs_number) e.nhs_number::text AS nhs_number, e.chain_seq::text AS chain_seq, e.entry_hash
       FROM audit_events e
       JOIN unnest($1::text[], $2::int[], $3::bigint[]) AS p(topic, partition, next)
         ON e.topic = p.topic AND e.partition = p.partition AND e."offset" < p.next
      ORDER BY e.nhs_number, e.chain_seq DESC`,
    [partitions.map((p) => p.topic), partitions.map((p) => p.partition), partitions.map((p) => String(p.next))],
  );
  return result.rows.map(toHead);
}

export async function checkAnchor(pool: Pool, anchor: AuditAnchor): Promise<AnchorVerdict> {
  return compareWithAnchor(anchor, await headsAt(pool, anchor.position));
}
