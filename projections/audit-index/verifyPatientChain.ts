/** Verifies one patient's stored audit chain: the stored rows and head, read in one snapshot, through the pure check. I/O. */
import type { Pool } from '../../platform/postgres.js';
import { type ChainVerdict, verifyChain } from './auditChain.js';
import { readChain } from './queries.js';

export async function verifyPatientChain(pool: Pool, nhsNumber: string): Promise<ChainVerdict> {
  const { entries, head } = await readChain(pool, nhsNumber);
  return verifyChain(entries, head);
}
