/**
 * The audit index's second writer: every raw receipt (the raw-receipts topic) becomes one
 * audit_receipts row, so an audit answer can show the source message exactly as received.
 * Keyed by receipt id: a receipt on the log twice is indexed once. A receipt is made before its
 * input is checked, so its text fields (the message id and type read from a message that may
 * then be refused) can hold NUL, which PostgreSQL text cannot: each NUL is written as U+2400
 * (SYMBOL FOR NULL), visibly, and the payload column keeps the bytes exactly as received. I/O.
 */

import type { RawReceipt } from '../../schemas/generated/events.js';
import type { LogIndex } from '../liveView.js';

export const AUDIT_RECEIPTS = 'audit-receipts';

/** Text PostgreSQL can hold: NUL shown as U+2400. Pure. */
export const storableText = <T extends string | null>(value: T): T =>
  (value === null ? value : value.replaceAll('\u0000', '\u2400')) as T;

const INSERT_RECEIPTS = `
  INSERT INTO audit_receipts (receipt_id, received_at, channel, remote_address, correlation_id, content_type,
                              message_type, message_id, payload, topic, partition, "offset")
  SELECT t.receipt_id, t.received_at, t.channel, t.remote_address, t.correlation_id, t.content_type,
         t.message_type, t.message_id, t.payload, $10::text, $11::int, t.off
    FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::bytea[], $12::bigint[])
      AS t(receipt_id, received_at, channel, remote_address, correlation_id, content_type, message_type,
           message_id, payload, off)
  ON CONFLICT (receipt_id) DO NOTHING`;

export const auditReceiptsIndex: LogIndex<RawReceipt> = {
  name: AUDIT_RECEIPTS,
  kind: 'log-index',
  async index(tx, topic, partition, records) {
    if (records.length === 0) return 0;
    const receipts = records.map((r) => r.event);
    const result = await tx.query(INSERT_RECEIPTS, [
      receipts.map((r) => r.receiptId),
      receipts.map((r) => r.receivedAt.toISOString()),
      receipts.map((r) => storableText(r.channel)),
      receipts.map((r) => storableText(r.remoteAddress)),
      receipts.map((r) => storableText(r.correlationId)),
      receipts.map((r) => storableText(r.contentType)),
      receipts.map((r) => storableText(r.messageType)),
      receipts.map((r) => storableText(r.messageId)),
      receipts.map((r) => r.payload),
      topic,
      partition,
      records.map((r) => r.offset.toString()),
    ]);
    return result.rowCount ?? 0;
  },
};
