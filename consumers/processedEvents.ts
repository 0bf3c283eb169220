/** Which events a view has applied: inserting a batch's ids tells which are new. I/O. */
import type { Tx } from '../platform/postgres.js';

export async function recordProcessedEvents(
  tx: Tx,
  view: string,
  events: readonly { readonly eventId: string; readonly partition: number; readonly offset: bigint }[],
): Promise<ReadonlySet<string>> {
  if (events.length === 0) return new Set();
  const result = await tx.query<{ event_id: string }>(
    `INSERT INTO view_processed_events (view, event_id, partition, "offset")
     SELECT $1::text, e, p, o FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS t(e, p, o)
     ON CONFLICT (view, event_id) DO NOTHING
     RETURNING event_id`,
    [view, events.map((e) => e.eventId), events.map((e) => e.partition), events.map((e) => String(e.offset))],
  );
  return new Set(result.rows.map((r) => r.event_id));
}
