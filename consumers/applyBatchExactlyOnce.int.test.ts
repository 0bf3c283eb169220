/**
 * The exactly-once step on its own, against PostgreSQL: a record written twice inside one
 * batch is applied once and counted once; a batch delivered again is skipped; a batch whose
 * first offset leaves a gap after the stored one is refused; a batch overlapping the stored
 * offset applies only its new tail; a hold stops a batch at the held offset, and a hold placed
 * while a batch runs rolls it back.
 */

import { createPool, type Pool } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { foldEvents } from '../projections/projection.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { patientEvents, testNhsNumber } from '../test/support/viewWorkload.js';
import { applyBatchExactlyOnce, type Batch } from './applyBatchExactlyOnce.js';
import { HoldPlacedError, StoredOffsetGapError } from './consumerErrors.js';
import { holdStoredOffsets, initStoredOffsets, readStoredOffsets, releaseStoredOffsets } from './storedOffsets.js';
import { liveViews } from './views.js';

const TOPIC = 'ns.clinical-events';
const view = liveViews['gp-view'];

function batchOf(events: readonly ClinicalEvent[], firstOffset: bigint, seekedTo?: bigint): Batch {
  return {
    topic: TOPIC,
    partition: 0,
    seekedTo,
    records: events.map((event, i) => ({
      offset: firstOffset + BigInt(i),
      key: Buffer.from(event.patient.nhsNumber),
      value: Buffer.from(event.eventId),
      decoded: { ok: true as const, event },
    })),
  };
}

async function withDatabase(databaseUrl: URL, work: (pool: Pool) => Promise<void>): Promise<void> {
  await runMigrations(databaseUrl);
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    await initStoredOffsets(pool, view.name, TOPIC, new Map([[0, 0n]]));
    await work(pool);
  } finally {
    await pool.end();
  }
}

async function storedState(pool: Pool, nhsNumber: string): Promise<unknown> {
  const result = await pool.query<{ state: unknown }>('SELECT state FROM gp_view_patients WHERE nhs_number = $1', [
    nhsNumber,
  ]);
  return result.rows[0]?.state;
}

describe('applying one batch exactly once', () => {
  test('an event written twice in one batch is applied once and counted once', async ({ databaseUrl }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const events = patientEvents(1);
      const [first, second] = events;
      if (first === undefined || second === undefined) throw new Error('the workload gives every patient events');
      // A producer retry can leave the same record twice, next to each other or not.
      const written = [first, first, ...events.slice(1), second];
      const result = await applyBatchExactlyOnce(pool, view, batchOf(written, 0n, 0n));
      expect(result).toEqual({
        from: 0n,
        to: BigInt(written.length),
        applied: events.length,
        duplicates: 2,
        deadLettered: 0,
        skipped: 0,
      });
      const expected = JSON.parse(JSON.stringify(foldEvents(gpView, events)));
      expect(await storedState(pool, testNhsNumber(1))).toEqual(expected);
      const processed = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM view_processed_events');
      expect(processed.rows[0]?.n).toBe(events.length);
    });
  });

  test('redelivery is skipped, an overlap applies only its tail, a gap is refused', async ({ databaseUrl }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const patients = [2, 3, 4, 5];
      const events = patients.flatMap((n) => patientEvents(n));
      expect(events.length).toBeGreaterThan(14);
      const head = events.slice(0, 5);
      expect(await applyBatchExactlyOnce(pool, view, batchOf(head, 0n, 0n))).toMatchObject({ applied: 5, to: 5n });
      // The same batch again (a crash before the Kafka commit): nothing to do.
      expect(await applyBatchExactlyOnce(pool, view, batchOf(head, 0n))).toBeUndefined();
      // Offsets 3..9: 3 and 4 are below the stored offset and skipped; 5..9 apply.
      expect(await applyBatchExactlyOnce(pool, view, batchOf(events.slice(3, 10), 3n))).toMatchObject({
        from: 5n,
        to: 10n,
        applied: 5,
        skipped: 2,
      });
      // Offsets from 12 with 10 and 11 missing, not right after a seek there: a gap.
      await expect(applyBatchExactlyOnce(pool, view, batchOf(events.slice(12), 12n))).rejects.toBeInstanceOf(
        StoredOffsetGapError,
      );
      expect((await readStoredOffsets(pool, view.name, TOPIC)).get(0)).toBe(10n);
      // Right after a seek to the stored offset, a higher first offset means the records in between do not exist.
      expect(await applyBatchExactlyOnce(pool, view, batchOf(events.slice(10), 12n, 10n))).toMatchObject({
        from: 10n,
        applied: events.length - 10,
      });
      for (const n of patients) {
        const expected = JSON.parse(JSON.stringify(foldEvents(gpView, patientEvents(n))));
        expect(await storedState(pool, testNhsNumber(n))).toEqual(expected);
      }
    });
  });

  test('a hold stops batches at the held offset until lifted or expired; one placed mid-batch rolls the batch back', async ({
    databaseUrl,
  }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const events = [6, 7].flatMap((n) => patientEvents(n));
      expect(events.length).toBeGreaterThan(10);
      const stored = async () => (await readStoredOffsets(pool, view.name, TOPIC)).get(0);
      const hold = (before: bigint, forMs = 15_000) =>
        holdStoredOffsets(pool, [view.name], TOPIC, new Map([[0, before]]), forMs);

      await hold(4n);
      expect(await applyBatchExactlyOnce(pool, view, batchOf(events, 0n, 0n))).toEqual({
        from: 0n,
        to: 4n,
        applied: 4,
        duplicates: 0,
        deadLettered: 0,
        skipped: 0,
        heldAt: 4n,
      });
      // Fetched again from the hold: nothing applies, nothing moves.
      expect(await applyBatchExactlyOnce(pool, view, batchOf(events.slice(4), 4n, 4n))).toMatchObject({
        from: 4n,
        to: 4n,
        applied: 0,
        heldAt: 4n,
      });
      expect(await stored()).toBe(4n);

      // Lifted, then placed again at 6 while a batch from 4 is being applied: it rolls back.
      await releaseStoredOffsets(pool, [view.name], TOPIC);
      const placeHoldMidBatch = { midBatch: () => hold(6n) };
      await expect(
        applyBatchExactlyOnce(pool, view, batchOf(events.slice(4), 4n, 4n), placeHoldMidBatch),
      ).rejects.toBeInstanceOf(HoldPlacedError);
      expect(await stored()).toBe(4n);
      expect(await applyBatchExactlyOnce(pool, view, batchOf(events.slice(4), 4n))).toMatchObject({
        to: 6n,
        applied: 2,
        heldAt: 6n,
      });

      // An expired hold (its end a second ago) stops nothing.
      await hold(8n, -1000);
      const rest = await applyBatchExactlyOnce(pool, view, batchOf(events.slice(6), 6n));
      expect(rest).toMatchObject({ from: 6n, to: BigInt(events.length), applied: events.length - 6 });
      expect(rest?.heldAt).toBeUndefined();
      for (const n of [6, 7]) {
        const expected = JSON.parse(JSON.stringify(foldEvents(gpView, patientEvents(n))));
        expect(await storedState(pool, testNhsNumber(n))).toEqual(expected);
      }
    });
  });
});
