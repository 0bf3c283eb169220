/**
 * One batch of one partition, applied in one PostgreSQL transaction: the events' ids go into
 * the processed-events table (which tells the new ones), only the new ones are folded into
 * the view, poison records become dead letters, and the stored offset advances by
 * compare-and-set. The argument for exactly-once holds per batch: either all of that
 * commits together, or none of it does. A hold on the partition (a rebuild aligning with the
 * live view) stops the batch before the held offset. I/O.
 */
import { type Pool, type Tx, withTransaction } from '../platform/postgres.js';
import type { LiveView, LogIndex } from '../projections/liveView.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { StoredOffsetGapError } from './consumerErrors.js';
import { type DeadLetterRecord, recordDeadLetters } from './deadLetters.js';
import { recordProcessedEvents } from './processedEvents.js';
import { advanceStoredOffset, readStoredPosition } from './storedOffsets.js';

/** `Decoded` is a clinical event, except for a log index over another topic (raw receipts). */
export type BatchRecord<Decoded = ClinicalEvent> = {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly decoded:
    | { readonly ok: true; readonly event: Decoded }
    | { readonly ok: false; readonly errorCode: string; readonly error: string; readonly eventId: string | null };
};

export type Batch<Decoded = ClinicalEvent> = {
  readonly topic: string;
  readonly partition: number;
  /** In offset order. */
  readonly records: readonly BatchRecord<Decoded>[];
  /**
   * The offset this partition was last seeked to. A first offset above the stored one is
   * accepted only right after a seek to exactly the stored offset: then the records in
   * between do not exist (transaction markers make offsets sparse).
   */
  readonly seekedTo: bigint | undefined;
};

export type BatchResult = {
  readonly from: bigint;
  readonly to: bigint;
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Records below the stored offset (already applied by an earlier batch): skipped. */
  readonly skipped: number;
  /**
   * Set when a hold on the partition stopped the batch: every record before this offset is
   * applied, none at or after it may be until the hold is lifted.
   */
  readonly heldAt?: bigint;
};

export type ApplyHooks = {
  /** Called inside the transaction, before COMMIT, with the dead letters to publish (a crash after it re-publishes; harmless). */
  readonly beforeCommit?: (deadLetters: readonly DeadLetterRecord[]) => Promise<void>;
  /** Test failpoint: called after the view's rows are written, before the offset advances. */
  readonly midBatch?: () => Promise<void>;
};

export function applyBatchExactlyOnce<State, Decoded = ClinicalEvent>(
  pool: Pool,
  view: LiveView<State> | LogIndex<Decoded>,
  batch: Batch<Decoded>,
  hooks: ApplyHooks = {},
  attempts = 1,
): Promise<BatchResult | undefined> {
  return withTransaction(pool, async (tx) => {
    const position = await readStoredPosition(tx, view.name, batch.topic, batch.partition);
    if (position === undefined)
      throw new Error(`${view.name}: no stored offset for ${batch.topic}[${batch.partition}]`);
    const { next: from, holdBefore } = position;
    const unapplied = batch.records.filter((r) => r.offset >= from);
    const first = unapplied[0];
    if (first === undefined) return undefined; // everything already applied by an earlier batch
    if (first.offset > from && batch.seekedTo !== from) {
      throw new StoredOffsetGapError(view.name, batch.topic, batch.partition, from, first.offset);
    }
    const skipped = batch.records.length - unapplied.length;
    // Under a hold only the records before it apply. The batch runs without a gap from the
    // stored offset (checked above), so once it holds a record at or after the hold, no record
    // before the hold is left and the stored offset moves to the hold itself.
    const records = holdBefore === undefined ? unapplied : unapplied.filter((r) => r.offset < holdBefore);
    const heldAt = holdBefore === undefined || records.length === unapplied.length ? undefined : holdBefore;
    const last = records.at(-1);
    if (last === undefined) {
      const to = heldAt !== undefined && heldAt > from ? heldAt : from;
      if (to > from) await advanceStoredOffset(tx, view.name, batch.topic, batch.partition, { from, to });
      return { from, to, applied: 0, duplicates: 0, deadLettered: 0, skipped, heldAt: to };
    }

    const deadLetters: DeadLetterRecord[] = records.flatMap((r) =>
      r.decoded.ok
        ? []
        : [
            {
              view: view.name,
              topic: batch.topic,
              partition: batch.partition,
              offset: r.offset,
              eventId: r.decoded.eventId,
              errorCode: r.decoded.errorCode,
              error: r.decoded.error,
              attempts,
              key: r.key,
              value: r.value,
            },
          ],
    );
    const decoded = records.flatMap((r) =>
      r.decoded.ok && r.value !== null ? [{ offset: r.offset, event: r.decoded.event, value: r.value }] : [],
    );
    let applied: number;
    if ('kind' in view) {
      // A log index keys by position: the stored-offset compare-and-set alone makes it exactly once.
      applied = await view.index(tx, batch.topic, batch.partition, decoded);
    } else {
      // A live view is only ever run with the event codec (createViewConsumer refuses another
      // decoder for it), so its records are clinical events.
      const events = decoded as unknown as readonly { readonly offset: bigint; readonly event: ClinicalEvent }[];
      const fresh = new Set(
        await recordProcessedEvents(
          tx,
          view.name,
          events.map((d) => ({ eventId: d.event.eventId, partition: batch.partition, offset: d.offset })),
        ),
      );
      // A record written twice in one batch (a producer retry) is new once: its first copy applies.
      const toApply = events.filter((d) => fresh.delete(d.event.eventId));
      await applyToView(tx, view, batch.partition, toApply);
      applied = toApply.length;
    }
    await recordDeadLetters(tx, deadLetters);
    await hooks.midBatch?.();
    const to = heldAt ?? last.offset + 1n;
    await advanceStoredOffset(tx, view.name, batch.topic, batch.partition, { from, to });
    if (deadLetters.length > 0) await hooks.beforeCommit?.(deadLetters);
    return {
      from,
      to,
      applied,
      duplicates: decoded.length - applied,
      deadLettered: deadLetters.length,
      skipped,
      ...(heldAt === undefined ? {} : { heldAt }),
    };
  });
}

/**
 * Folds the new events into the touched patients' states (in log order) and saves them. The
 * views benchmark's at-least-once peer calls it too, so the two differ only in the bookkeeping.
 */
export async function applyToView<State>(
  tx: Tx,
  view: LiveView<State>,
  partition: number,
  events: readonly { readonly offset: bigint; readonly event: ClinicalEvent }[],
): Promise<void> {
  if (events.length === 0) return;
  const patients = [...new Set(events.map((e) => e.event.patient.nhsNumber))];
  const stored = await view.store.load(tx, patients);
  const changed = new Map<string, { state: State; position: { partition: number; offset: string } }>();
  for (const { offset, event } of events) {
    const nhs = event.patient.nhsNumber;
    const current = changed.get(nhs)?.state ?? stored.get(nhs) ?? view.projection.initialState;
    changed.set(nhs, {
      state: view.projection.evolve(current, event),
      position: { partition, offset: String(offset) },
    });
  }
  await view.store.save(tx, changed);
}
