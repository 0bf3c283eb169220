/**
 * The audit index's reads for the API and the verify tool: events by filter in log order
 * (keyset on (partition, offset), never a database sequence), every record of one event id,
 * raw receipts, a patient's timeline in clinical-time order, and a patient's stored chain. I/O.
 */
import { type Pool, type Tx, withTransaction } from '../../platform/postgres.js';
import type { ChainHead, StoredAuditEntry } from './auditChain.js';
import type { JsonObject } from './eventJson.js';

/** A log position: the keyset of the event list. */
export type LogPositionKey = { readonly partition: number; readonly offset: string };

export type AuditEventRow = {
  readonly eventId: string;
  readonly type: string;
  readonly nhsNumber: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string;
  readonly source: {
    readonly channel: string;
    readonly system: string;
    readonly messageId: string;
    readonly receiptId: string | null;
  };
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly chainSeq: number;
  readonly entryHash: string;
  /** The event as JSON (instants as ISO strings); `eventFromJson` revives it. */
  readonly payload: JsonObject;
};

type EventRecord = {
  event_id: string;
  event_type: string;
  nhs_number: string;
  occurred_at: Date;
  recorded_at: Date;
  /** occurred_at to the microsecond, for the timeline's cursor. */
  occurred_key: string;
  correlation_id: string;
  source_channel: string;
  source_system: string;
  source_message_id: string;
  receipt_id: string | null;
  topic: string;
  partition: number;
  offset: string;
  chain_seq: string;
  entry_hash: string;
  payload: JsonObject;
};

// The output names shadow the columns in ORDER BY (text offsets sort '10' before '2'): order by `a.`.
const EVENT_COLUMNS = `event_id::text AS event_id, event_type, nhs_number::text AS nhs_number, occurred_at, recorded_at,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_key,
  correlation_id, source_channel, source_system, source_message_id, receipt_id::text AS receipt_id,
  topic, partition, "offset"::text AS "offset", chain_seq::text AS chain_seq, entry_hash, payload`;

const rowOf = (r: EventRecord): AuditEventRow => ({
  eventId: r.event_id,
  type: r.event_type,
  nhsNumber: r.nhs_number,
  occurredAt: r.occurred_at.toISOString(),
  recordedAt: r.recorded_at.toISOString(),
  correlationId: r.correlation_id,
  source: {
    channel: r.source_channel,
    system: r.source_system,
    messageId: r.source_message_id,
    receiptId: r.receipt_id,
  },
  topic: r.topic,
  partition: r.partition,
  offset: r.offset,
  chainSeq: Number(r.chain_seq),
  entryHash: r.entry_hash,
  payload: r.payload,
});

export type AuditEventFilter = {
  readonly nhsNumber?: string | undefined;
  readonly type?: string | undefined;
  /** Clinical time (occurredAt), inclusive. */
  readonly from?: Date | undefined;
  /** Clinical time (occurredAt), exclusive. */
  readonly to?: Date | undefined;
  readonly correlationId?: string | undefined;
  readonly sourceMessageId?: string | undefined;
};

const LIST_EVENTS = `
  SELECT ${EVENT_COLUMNS} FROM audit_events a
   WHERE ($1::text IS NULL OR nhs_number = $1::bpchar)
     AND ($2::text IS NULL OR event_type = $2::text)
     AND ($3::timestamptz IS NULL OR occurred_at >= $3::timestamptz)
     AND ($4::timestamptz IS NULL OR occurred_at < $4::timestamptz)
     AND ($5::text IS NULL OR correlation_id = $5::text)
     AND ($6::text IS NULL OR source_message_id = $6::text)
     AND ($7::int IS NULL OR (partition, "offset") > ($7::int, $8::bigint))
   ORDER BY a.partition, a."offset"
   LIMIT $9::int`;

/** The events matching the filter after `after`, in log order: (partition, offset). */
export async function listAuditEvents(
  pool: Pool,
  filter: AuditEventFilter,
  after: LogPositionKey | undefined,
  limit: number,
): Promise<readonly AuditEventRow[]> {
  const result = await pool.query<EventRecord>(LIST_EVENTS, [
    filter.nhsNumber ?? null,
    filter.type ?? null,
    filter.from?.toISOString() ?? null,
    filter.to?.toISOString() ?? null,
    filter.correlationId ?? null,
    filter.sourceMessageId ?? null,
    after?.partition ?? null,
    after?.offset ?? null,
    limit,
  ]);
  return result.rows.map(rowOf);
}

/** Every log record of this event id (a duplicate on the log is a second record), in log order. */
export async function recordsOfEvent(pool: Pool, eventId: string): Promise<readonly AuditEventRow[]> {
  const result = await pool.query<EventRecord>(
    `SELECT ${EVENT_COLUMNS} FROM audit_events a WHERE event_id = $1::uuid ORDER BY a.partition, a."offset"`,
    [eventId],
  );
  return result.rows.map(rowOf);
}

export type AuditReceipt = {
  readonly receiptId: string;
  readonly receivedAt: string;
  readonly channel: string;
  readonly remoteAddress: string | null;
  readonly correlationId: string;
  readonly contentType: string;
  readonly messageType: string | null;
  readonly messageId: string | null;
  readonly payload: Buffer;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
};

export async function readReceipts(
  pool: Pool,
  receiptIds: readonly string[],
): Promise<ReadonlyMap<string, AuditReceipt>> {
  if (receiptIds.length === 0) return new Map();
  const result = await pool.query<{
    receipt_id: string;
    received_at: Date;
    channel: string;
    remote_address: string | null;
    correlation_id: string;
    content_type: string;
    message_type: string | null;
    message_id: string | null;
    payload: Buffer;
    topic: string;
    partition: number;
    offset: string;
  }>(
    `SELECT receipt_id::text AS receipt_id, received_at, channel, remote_address, correlation_id, content_type,
            message_type, message_id, payload, topic, partition, "offset"::text AS "offset"
       FROM audit_receipts WHERE receipt_id = ANY($1::uuid[])`,
    [receiptIds],
  );
  return new Map(
    result.rows.map((r) => [
      r.receipt_id,
      {
        receiptId: r.receipt_id,
        receivedAt: r.received_at.toISOString(),
        channel: r.channel,
        remoteAddress: r.remote_address,
        correlationId: r.correlation_id,
        contentType: r.content_type,
        messageType: r.message_type,
        messageId: r.message_id,
        payload: r.payload,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
      },
    ]),
  );
}

/** Where the timeline continues: the last row's clinical time (to the microsecond) and position. */
export type TimelineKey = { readonly occurredAt: string } & LogPositionKey;

/** The patient's events in clinical-time order (ties in log order), after `after`. */
export async function patientTimeline(
  pool: Pool,
  nhsNumber: string,
  after: TimelineKey | undefined,
  limit: number,
): Promise<{ readonly events: readonly AuditEventRow[]; readonly last: TimelineKey | undefined }> {
  const result = await pool.query<EventRecord>(
    `SELECT ${EVENT_COLUMNS} FROM audit_events a
      WHERE nhs_number = $1::bpchar
        AND ($2::timestamptz IS NULL OR (occurred_at, partition, "offset") > ($2::timestamptz, $3::int, $4::bigint))
      ORDER BY a.occurred_at, a.partition, a."offset"
      LIMIT $5::int`,
    [nhsNumber, after?.occurredAt ?? null, after?.partition ?? null, after?.offset ?? null, limit],
  );
  const last = result.rows.at(-1);
  return {
    events: result.rows.map(rowOf),
    last:
      last === undefined
        ? undefined
        : { occurredAt: last.occurred_key, partition: last.partition, offset: last.offset },
  };
}

/** Whether the audit index has seen this patient (a chain head exists from the first batch that did). */
export async function isKnownPatient(pool: Pool, nhsNumber: string): Promise<boolean> {
  const result = await pool.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM audit_chain_heads WHERE nhs_number = $1::bpchar)
         OR EXISTS (SELECT 1 FROM audit_events WHERE nhs_number = $1::bpchar) AS known`,
    [nhsNumber],
  );
  return result.rows[0]?.known === true;
}

/** Every patient with a chain (or rows), in NHS-number order. */
export async function chainPatients(pool: Pool): Promise<readonly string[]> {
  const result = await pool.query<{ nhs_number: string }>(
    `SELECT nhs_number::text AS nhs_number FROM audit_chain_heads
      UNION SELECT DISTINCT nhs_number::text FROM audit_events
      ORDER BY 1`,
  );
  return result.rows.map((r) => r.nhs_number);
}

type StoredRecord = {
  topic: string;
  partition: number;
  offset: string;
  chain_seq: string;
  event_id: string;
  event_type: string;
  nhs_number: string;
  occurred_us: string;
  recorded_us: string;
  correlation_id: string;
  source_channel: string;
  source_system: string;
  source_message_id: string;
  receipt_id: string | null;
  payload_text: string;
  record_value: Buffer;
  prev_hash: string;
  entry_hash: string;
};

// Each column in the text form auditEntryText.ts fixes: exact (microseconds, payload::text),
// never through a driver's parsing.
const READ_CHAIN = `
  SELECT topic, partition, "offset"::text AS "offset", chain_seq::text AS chain_seq, event_id::text AS event_id,
         event_type, nhs_number::text AS nhs_number,
         (extract(epoch FROM occurred_at) * 1000000)::bigint::text AS occurred_us,
         (extract(epoch FROM recorded_at) * 1000000)::bigint::text AS recorded_us,
         correlation_id, source_channel, source_system, source_message_id, receipt_id::text AS receipt_id,
         payload::text AS payload_text, record_value, prev_hash, entry_hash
    FROM audit_events a WHERE nhs_number = $1::bpchar
   ORDER BY a.chain_seq, a.partition, a."offset"`;

/** The patient's stored chain and its head, read in one snapshot (so a batch committing meanwhile is all in or all out). */
export function readChain(
  pool: Pool,
  nhsNumber: string,
): Promise<{ readonly entries: readonly StoredAuditEntry[]; readonly head: ChainHead | undefined }> {
  return withTransaction(pool, async (tx: Tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const rows = await tx.query<StoredRecord>(READ_CHAIN, [nhsNumber]);
    const head = await tx.query<{ chain_seq: string; entry_hash: string }>(
      'SELECT chain_seq::text AS chain_seq, entry_hash FROM audit_chain_heads WHERE nhs_number = $1::bpchar',
      [nhsNumber],
    );
    const h = head.rows[0];
    return {
      entries: rows.rows.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        chainSeq: r.chain_seq,
        eventId: r.event_id,
        eventType: r.event_type,
        nhsNumber: r.nhs_number,
        occurredAtMicros: r.occurred_us,
        recordedAtMicros: r.recorded_us,
        correlationId: r.correlation_id,
        sourceChannel: r.source_channel,
        sourceSystem: r.source_system,
        sourceMessageId: r.source_message_id,
        receiptId: r.receipt_id,
        payloadText: r.payload_text,
        recordValue: r.record_value,
        prevHash: r.prev_hash,
        entryHash: r.entry_hash,
      })),
      head: h === undefined ? undefined : { chainSeq: BigInt(h.chain_seq), entryHash: h.entry_hash },
    };
  });
}

/** A record of the log the audit index does not hold: dead-lettered, or skipped without a trace. */
export type MissingAuditEntry =
  | {
      readonly reason: 'dead-lettered';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly eventId: string | null;
      readonly errorCode: string;
      /** `GET /admin/dead-letters/{id}`. */
      readonly deadLetterId: number;
    }
  | {
      readonly reason: 'not-indexed';
      readonly topic: string;
      readonly partition: number;
      /** Inclusive range of offsets below the index's stored offset with neither a row nor a dead letter. */
      readonly fromOffset: string;
      readonly toOffset: string;
    };

// The audit index dead-letters with the record's key, which is the patient's NHS number on the canonical topic.
const AUDIT_DEAD_LETTERS = `
  SELECT dead_letter_id::text AS id, topic, partition, "offset"::text AS "offset", event_id::text AS event_id, error_code
    FROM view_dead_letters d
   WHERE view = $1::text AND status = 'dead' AND ($2::text IS NULL OR record_key = convert_to($2::text, 'UTF8'))
   ORDER BY d.partition, d."offset"`;

/** The audit index's unresolved dead letters, of one patient (by the record key) or of everyone. */
export async function auditDeadLetters(
  pool: Pool,
  index: string,
  nhsNumber: string | undefined,
): Promise<readonly Extract<MissingAuditEntry, { reason: 'dead-lettered' }>[]> {
  const result = await pool.query<{
    id: string;
    topic: string;
    partition: number;
    offset: string;
    event_id: string | null;
    error_code: string;
  }>(AUDIT_DEAD_LETTERS, [index, nhsNumber ?? null]);
  return result.rows.map((r) => ({
    reason: 'dead-lettered',
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    eventId: r.event_id,
    errorCode: r.error_code,
    deadLetterId: Number(r.id),
  }));
}

// Every offset below the stored next offset is either a row or a dead letter (the canonical
// producer is idempotent, not transactional: its offsets have no markers between them). A range
// before the first covered offset is not looked for: the log's retention may have removed it.
const UNINDEXED_RANGES = `
  WITH stored AS (
    SELECT topic, partition, next_offset FROM view_stored_offsets
     WHERE view = $1::text AND ($2::text IS NULL OR topic = $2::text) AND ($3::int IS NULL OR partition = $3::int)
  ), covered AS (
    SELECT s.topic, s.partition, s.next_offset, a."offset" FROM stored s
      JOIN audit_events a ON a.topic = s.topic AND a.partition = s.partition AND a."offset" < s.next_offset
    UNION
    SELECT s.topic, s.partition, s.next_offset, d."offset" FROM stored s
      JOIN view_dead_letters d ON d.view = $1::text AND d.topic = s.topic AND d.partition = s.partition
                              AND d."offset" < s.next_offset
  ), ordered AS (
    SELECT topic, partition, "offset",
           coalesce(lead("offset") OVER (PARTITION BY topic, partition ORDER BY "offset"), next_offset) AS next_covered
      FROM covered
  )
  SELECT topic, partition, ("offset" + 1)::text AS from_offset, (next_covered - 1)::text AS to_offset
    FROM ordered o WHERE o.next_covered > o."offset" + 1
   ORDER BY o.topic, o.partition, o."offset"
   LIMIT 1000`;

/** Ranges below the index's stored offsets that it neither holds nor dead-lettered (one partition, or all). */
export async function unindexedRanges(
  pool: Pool,
  index: string,
  where: { readonly topic: string; readonly partition: number } | undefined,
): Promise<readonly Extract<MissingAuditEntry, { reason: 'not-indexed' }>[]> {
  const result = await pool.query<{ topic: string; partition: number; from_offset: string; to_offset: string }>(
    UNINDEXED_RANGES,
    [index, where?.topic ?? null, where?.partition ?? null],
  );
  return result.rows.map((r) => ({
    reason: 'not-indexed',
    topic: r.topic,
    partition: r.partition,
    fromOffset: r.from_offset,
    toOffset: r.to_offset,
  }));
}
