/** The identity cross-reference in PostgreSQL: look up what is known, learn new mappings. I/O. */
import type { NhsNumber } from '../../core/nhsNumber.js';
import type { Pool } from '../../platform/postgres.js';
import type { LocalIdentifier } from '../../schemas/generated/events.js';
import type { KnownMapping } from './decidePatient.js';

type MappingRow = { authority: string; local_id: string; nhs_number: string };

const LOOKUP = `
  SELECT authority, local_id, nhs_number FROM patient_identity_xref
   WHERE (authority, local_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      OR nhs_number = $3::text`;

/** Every mapping of the given local identifiers, and every mapping of the NHS number. */
export async function lookupIdentity(
  pool: Pool,
  locals: readonly LocalIdentifier[],
  nhsNumber: NhsNumber | undefined,
): Promise<readonly KnownMapping[]> {
  if (locals.length === 0 && nhsNumber === undefined) return [];
  const result = await pool.query<MappingRow>(LOOKUP, [
    locals.map((l) => l.authority),
    locals.map((l) => l.value),
    nhsNumber ?? null,
  ]);
  return result.rows.map((r) => ({
    authority: r.authority,
    localId: r.local_id,
    nhsNumber: r.nhs_number as NhsNumber,
  }));
}

const LEARN = `
  INSERT INTO patient_identity_xref (authority, local_id, nhs_number, learned_from_receipt)
  SELECT a, l, $3::text, $4::uuid FROM unnest($1::text[], $2::text[]) AS t(a, l)
  ON CONFLICT (authority, local_id) DO NOTHING
  RETURNING authority, local_id`;

/** Records mappings learned from an accepted message; returns the ones that were new. */
export async function learnIdentity(
  pool: Pool,
  nhsNumber: NhsNumber,
  locals: readonly LocalIdentifier[],
  receiptId: string,
): Promise<readonly { readonly authority: string; readonly localId: string }[]> {
  if (locals.length === 0) return [];
  const result = await pool.query<{ authority: string; local_id: string }>(LEARN, [
    locals.map((l) => l.authority),
    locals.map((l) => l.value),
    nhsNumber,
    receiptId,
  ]);
  return result.rows.map((r) => ({ authority: r.authority, localId: r.local_id }));
}
