/**
 * The pharmacy feed (`listOrders` with a cursor) against PostgreSQL: every row exactly once at
 * every page size, while batches with several orders per message and several patients per
 * partition are applied between the page reads.
 */
import { fc } from '@fast-check/vitest';
import { createPool } from '../../platform/postgres.js';
import { runMigrations } from '../../platform/runMigrations.js';
import { aMedicationCancellation, aMedicationOrder } from '../../test/support/eventBuilders.js';
import { describe, expect, test } from '../../test/support/fixtures.js';
import { applyRecords, feedReader, type LogRecord, readToEnd } from '../../test/support/pharmacyFeed.js';
import { testNhsNumber } from '../../test/support/viewWorkload.js';

/** Two new orders in one ORM^O01: two events at consecutive offsets, folded in one batch. */
const twoNewOrders = (patient: number, offset: bigint): LogRecord[] => {
  const nhsNumber = testNhsNumber(patient);
  return [1, 2].map((n) => ({
    offset: offset + BigInt(n - 1),
    event: aMedicationOrder({ nhsNumber, orderId: `ORD-${patient}-${n}`, at: '2026-04-02T09:00:00Z' }),
  }));
};

describe('the pharmacy feed', () => {
  test('the second of two new orders in one ORM^O01 is not missed at a page boundary', async ({ databaseUrl }) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 2 });
    try {
      // Three patients, each with one message of two new orders, on one partition.
      await applyRecords(pool, 0, [...twoNewOrders(1, 0n), ...twoNewOrders(2, 2n), ...twoNewOrders(3, 4n)]);
      for (const limit of [1, 3, 5]) {
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
    } finally {
      await pool.end();
    }
  });
});
