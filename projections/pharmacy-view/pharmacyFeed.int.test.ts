/**
 * The pharmacy feed (`listOrders` with a cursor) against PostgreSQL: every row exactly once at
 * every page size, while batches with several orders per message and several patients per
 * partition are applied between the page reads.
 */
import fc from 'fast-check';
import { aMedicationOrder } from '../../test/support/eventBuilders.js';
import { describe, expect } from '../../test/support/fixtures.js';
import {
  applyRecords,
  arbFeedScenario,
  checkingReader,
  feedLog,
  feedReader,
  inBatches,
  type LogRecord,
  readToEnd,
  feedTest as test,
} from '../../test/support/pharmacyFeed.js';
import { testNhsNumber } from '../../test/support/viewWorkload.js';
import { parseFeedCursor } from './feedCursor.js';
import { listOrders } from './queries.js';

/** Two new orders in one ORM^O01: two events at consecutive offsets, folded in one batch. */
const twoNewOrders = (patient: number, offset: bigint): LogRecord[] => {
  const nhsNumber = testNhsNumber(patient);
  return [1, 2].map((n) => ({
    offset: offset + BigInt(n - 1),
    event: aMedicationOrder({ nhsNumber, orderId: `ORD-${patient}-${n}`, at: '2026-04-02T09:00:00Z' }),
  }));
};

describe('the pharmacy feed', () => {
  test('the second of two new orders in one ORM^O01 is not missed at a page boundary', async ({ pool }) => {
    // Three patients, each with one message of two new orders, on one partition.
    await applyRecords(pool, 0, [...twoNewOrders(1, 0n), ...twoNewOrders(2, 2n), ...twoNewOrders(3, 4n)]);
    for (const limit of [1, 2, 3, 4, 5, 6, 7]) {
      const seen = await readToEnd(feedReader(pool, { limit, status: 'active' }));
      expect(seen.map((r) => r.orderId).sort(), `page size ${limit}`).toEqual([
        'ORD-1-1',
        'ORD-1-2',
        'ORD-2-1',
        'ORD-2-2',
        'ORD-3-1',
        'ORD-3-2',
      ]);
    }
  });

  test('a version 1 cursor (partition → offset) goes on after every row at that offset', async ({ pool }) => {
    await applyRecords(pool, 0, [...twoNewOrders(1, 0n), ...twoNewOrders(2, 2n)]);
    // Issued before this version, after a page that ended at the first patient's orders (offset 1).
    const v1 = parseFeedCursor(Buffer.from(JSON.stringify({ '0': '1' })).toString('base64url'));
    if (!v1.ok) throw new Error(v1.error);
    const page = await listOrders(pool, { since: v1.value, limit: 10 });
    expect(page.orders.map((r) => r.orderId)).toEqual(['ORD-2-1', 'ORD-2-2']);
  });

  test('a re-driven dead letter, applied after later records, is not skipped by a reader past them', async ({
    pool,
  }) => {
    const [first, deadLettered, later] = [1, 2, 3].map((patient, i) => ({
      offset: BigInt(i),
      event: aMedicationOrder({ nhsNumber: testNhsNumber(patient), orderId: `ORD-${patient}-1` }),
    }));
    if (first === undefined || deadLettered === undefined || later === undefined) throw new Error('three records');
    await applyRecords(pool, 0, [first, later]); // the record at offset 1 went to the dead letters
    const reader = feedReader(pool, { limit: 10 });
    expect((await readToEnd(reader)).map((r) => r.orderId)).toEqual(['ORD-1-1', 'ORD-3-1']);
    await applyRecords(pool, 0, [deadLettered]); // re-driven with its own offset
    expect((await reader.next()).map((r) => r.orderId)).toEqual(['ORD-2-1']);
  });

  test('every row exactly once at every page size while batches apply between the pages', async ({ pool }) => {
    await fc.assert(
      fc.asyncProperty(arbFeedScenario(), async (scenario) => {
        await pool.query('TRUNCATE pharmacy_view_orders, pharmacy_view_patients');
        const batches = feedLog(scenario.messages).map((records) => [...inBatches(records, scenario.batchSizes)]);
        const reader = checkingReader(pool, scenario);
        for (const step of scenario.steps) {
          if (step.kind === 'read') await reader.read();
          else {
            const batch = batches[step.partition]?.shift();
            if (batch !== undefined) await applyRecords(pool, step.partition, batch);
          }
        }
        for (const [partition, rest] of batches.entries()) {
          for (const batch of rest) await applyRecords(pool, partition, batch);
        }
        expect(await reader.expectCaughtUp()).toEqual([]);
      }),
      { seed: 20261207, numRuns: 40, endOnFailure: true },
    );
  });
});
