/**
 * Inputs held back from the log: parked (patient not yet identifiable, or identifiers in
 * conflict) and rejected (refused with a reason). Both keep the payload as received so they
 * can be listed and re-driven. I/O.
 */
import type { Pool } from '../../platform/postgres.js';
import type { Rejection } from '../rejection.js';
import type { InboundMessage } from './inboundMessage.js';

export type ParkReason = {
  readonly code: 'patient-unresolved' | 'identity-conflict';
  readonly reason: string;
  readonly waitingOn: { readonly authority: string; readonly value: string } | undefined;
};

/** The columns both held-input tables share, taken from the message as received. */
const MESSAGE_COLUMNS =
  'receipt_id, channel, endpoint, content_type, payload, correlation_id, remote_address, received_at';
const MESSAGE_PARAMS = '$1::uuid, $2::text, $3::text, $4::text, $5::bytea, $6::text, $7::text, $8::timestamptz';
const messageParams = (message: InboundMessage): unknown[] => [
  message.receiptId,
  message.channel,
  message.endpoint,
  message.contentType,
  Buffer.from(message.payload),
  message.correlationId,
  message.remoteAddress,
  message.receivedAt,
];

export async function parkInput(pool: Pool, message: InboundMessage, why: ParkReason): Promise<number> {
  const result = await pool.query<{ park_id: string }>(
    `INSERT INTO ingest_parked (${MESSAGE_COLUMNS}, reason_code, reason, waiting_authority, waiting_local_id)
     VALUES (${MESSAGE_PARAMS}, $9::text, $10::text, $11::text, $12::text)
     RETURNING park_id`,
    [...messageParams(message), why.code, why.reason, why.waitingOn?.authority ?? null, why.waitingOn?.value ?? null],
  );
  return Number(result.rows[0]?.park_id);
}

export async function keepRejected(
  pool: Pool,
  message: InboundMessage,
  rejection: Rejection,
  answer: string,
): Promise<number> {
  const result = await pool.query<{ rejection_id: string }>(
    `INSERT INTO ingest_rejected (${MESSAGE_COLUMNS}, reason_code, reason, location, answer)
     VALUES (${MESSAGE_PARAMS}, $9::text, $10::text, $11::text, $12::text)
     RETURNING rejection_id`,
    [...messageParams(message), rejection.kind, rejection.reason, rejection.location, answer],
  );
  return Number(result.rows[0]?.rejection_id);
}

export type HeldInput = {
  readonly id: number;
  readonly receiptId: string;
  readonly channel: string;
  readonly endpoint: string;
  readonly contentType: string;
  readonly payload: Buffer;
  readonly correlationId: string;
  readonly remoteAddress: string | null;
  readonly receivedAt: Date;
  readonly reasonCode: string;
  readonly reason: string;
  readonly location: string | null;
  readonly status: string;
};

type HeldRow = {
  id: string;
  receipt_id: string;
  channel: string;
  endpoint: string;
  content_type: string;
  payload: Buffer;
  correlation_id: string;
  remote_address: string | null;
  received_at: Date;
  reason_code: string;
  reason: string;
  location: string | null;
  status: string;
};

const toHeld = (r: HeldRow): HeldInput => ({
  id: Number(r.id),
  receiptId: r.receipt_id,
  channel: r.channel,
  endpoint: r.endpoint,
  contentType: r.content_type,
  payload: r.payload,
  correlationId: r.correlation_id,
  remoteAddress: r.remote_address,
  receivedAt: r.received_at,
  reasonCode: r.reason_code,
  reason: r.reason,
  location: r.location,
  status: r.status,
});

const COLUMNS = `receipt_id, channel, endpoint, content_type, payload, correlation_id, remote_address, received_at,
                 reason_code, reason, status`;

export async function listParked(pool: Pool, options: { readonly all?: boolean } = {}): Promise<readonly HeldInput[]> {
  const result = await pool.query<HeldRow>(
    `SELECT park_id AS id, ${COLUMNS}, NULL::text AS location FROM ingest_parked
      WHERE $1::boolean OR status = 'parked' ORDER BY park_id`,
    [options.all === true],
  );
  return result.rows.map(toHeld);
}

/** Parked inputs waiting on any of these local identifiers, oldest first (release keeps arrival order). */
export async function parkedWaitingOn(
  pool: Pool,
  identifiers: readonly { readonly authority: string; readonly localId: string }[],
): Promise<readonly HeldInput[]> {
  if (identifiers.length === 0) return [];
  const result = await pool.query<HeldRow>(
    `SELECT park_id AS id, ${COLUMNS}, NULL::text AS location FROM ingest_parked
      WHERE status = 'parked'
        AND (waiting_authority, waiting_local_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY park_id`,
    [identifiers.map((i) => i.authority), identifiers.map((i) => i.localId)],
  );
  return result.rows.map(toHeld);
}

/**
 * Parked inputs whose patient can be identified now — the mapping they wait on has been
 * learned — oldest first; all of them, or those waiting on one identifier. Normally released
 * the moment the mapping arrives; this finds those a failed release (PostgreSQL lost, a crash
 * in between) left behind, and an input parked just after the release that would have taken
 * it had looked (the mapping was learned while the input was being parked).
 */
export async function parkedNowResolvable(
  pool: Pool,
  waitingOn?: { readonly authority: string; readonly value: string },
): Promise<readonly HeldInput[]> {
  const result = await pool.query<HeldRow>(
    `SELECT park_id AS id, ${COLUMNS}, NULL::text AS location FROM ingest_parked p
      WHERE status = 'parked'
        AND ($1::text IS NULL OR (p.waiting_authority = $1::text AND p.waiting_local_id = $2::text))
        AND EXISTS (SELECT 1 FROM patient_identity_xref x
                     WHERE x.identifier_hash = ingest_identifier_hash(p.waiting_authority, p.waiting_local_id))
      ORDER BY park_id`,
    [waitingOn?.authority ?? null, waitingOn?.value ?? null],
  );
  return result.rows.map(toHeld);
}

export async function resolveParked(pool: Pool, parkId: number, resolution: string): Promise<void> {
  await pool.query(
    `UPDATE ingest_parked SET status = 'released', resolved_at = now(), resolution = $2::text
      WHERE park_id = $1::bigint AND status = 'parked'`,
    [parkId, resolution],
  );
}

export async function listRejected(
  pool: Pool,
  options: { readonly all?: boolean } = {},
): Promise<readonly HeldInput[]> {
  const result = await pool.query<HeldRow>(
    `SELECT rejection_id AS id, ${COLUMNS}, location FROM ingest_rejected
      WHERE $1::boolean OR status = 'rejected' ORDER BY rejection_id`,
    [options.all === true],
  );
  return result.rows.map(toHeld);
}

export async function findHeld(pool: Pool, kind: 'parked' | 'rejected', id: number): Promise<HeldInput | undefined> {
  const result =
    kind === 'parked'
      ? await pool.query<HeldRow>(
          `SELECT park_id AS id, ${COLUMNS}, NULL::text AS location FROM ingest_parked WHERE park_id = $1::bigint`,
          [id],
        )
      : await pool.query<HeldRow>(
          `SELECT rejection_id AS id, ${COLUMNS}, location FROM ingest_rejected WHERE rejection_id = $1::bigint`,
          [id],
        );
  const row = result.rows[0];
  return row === undefined ? undefined : toHeld(row);
}

export async function markRedriven(pool: Pool, rejectionId: number, outcome: string): Promise<void> {
  await pool.query(
    // Re-driven and refused again, it stays on the list of what needs a fix.
    `UPDATE ingest_rejected SET status = CASE WHEN $2::text = 'rejected' THEN 'rejected' ELSE 'redriven' END,
            redriven_at = now(), redrive_outcome = $2::text
      WHERE rejection_id = $1::bigint`,
    [rejectionId, outcome],
  );
}
