/**
 * Verifies one patient's audit trail: the stored rows and head, read in one snapshot, through
 * the pure chain check; then the index against the log, since a chain cannot show a record that
 * never reached it: the patient's records the audit index dead-lettered, and offsets of the
 * patient's partition below the index's stored offset that it neither holds nor dead-lettered.
 * Either makes the verdict not ok, naming what is missing. I/O.
 */
import type { Pool } from '../../platform/postgres.js';
import { type ChainVerdict, verifyChain } from './auditChain.js';
import { AUDIT_INDEX } from './auditEventsIndex.js';
import { auditDeadLetters, type MissingAuditEntry, readChain, unindexedRanges } from './queries.js';

/** `missing` is present only when something is: each record of the log the patient's trail lacks. */
export type PatientAuditVerdict = ChainVerdict & { readonly missing?: readonly MissingAuditEntry[] };

export async function verifyPatientChain(pool: Pool, nhsNumber: string): Promise<PatientAuditVerdict> {
  const { entries, head } = await readChain(pool, nhsNumber);
  const verdict = verifyChain(entries, head);
  const deadLettered = await auditDeadLetters(pool, AUDIT_INDEX, nhsNumber);
  // A patient's records are all in one partition (the key is the NHS number): look there for holes.
  const places = new Map(
    [...entries, ...deadLettered].map((e) => [
      `${e.topic}\u0000${e.partition}`,
      { topic: e.topic, partition: e.partition },
    ]),
  );
  const holes = (await Promise.all([...places.values()].map((p) => unindexedRanges(pool, AUDIT_INDEX, p)))).flat();
  const missing = [...deadLettered, ...holes];
  return missing.length === 0 ? verdict : { ...verdict, ok: false, missing };
}
