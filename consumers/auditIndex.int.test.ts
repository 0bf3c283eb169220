/**
 * The audit index's writers through PostgreSQL: batches in any split, each delivered twice,
 * give the same rows and chains (idempotent per position); the chain read back verifies; and
 * through the exactly-once step, the stored offset moves with the rows.
 */

import { createPool, type Pool, withTransaction } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { auditEventsIndex } from '../projections/audit-index/auditEventsIndex.js';
import { auditReceiptsIndex } from '../projections/audit-index/auditReceiptsIndex.js';
import { readChain } from '../projections/audit-index/queries.js';
import { verifyPatientChain } from '../projections/audit-index/verifyPatientChain.js';
import type { ClinicalEvent, RawReceipt } from '../schemas/generated/events.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { patientEvents, testNhsNumber } from '../test/support/viewWorkload.js';
import { applyBatchExactlyOnce } from './applyBatchExactlyOnce.js';
import { initStoredOffsets, readStoredOffsets } from './storedOffsets.js';

const TOPIC = 'ns.clinical-events';
const events: ClinicalEvent[] = [...patientEvents(1), ...patientEvents(2), ...patientEvents(3)];
const records = events.map((event, i) => ({ offset: BigInt(i), event, value: Buffer.from(`record ${i}`) }));

async function withDatabase(databaseUrl: URL, work: (pool: Pool) => Promise<void>): Promise<void> {
  await runMigrations(databaseUrl);
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    await work(pool);
  } finally {
    await pool.end();
  }
}

async function snapshot(pool: Pool) {
  const rows = await pool.query(
    `SELECT partition, "offset"::text, event_id::text, nhs_number, chain_seq::text, prev_hash, entry_hash, payload::text
       FROM audit_events ORDER BY partition, "offset"`,
  );
  const heads = await pool.query('SELECT * FROM audit_chain_heads ORDER BY nhs_number');
  return { rows: rows.rows, heads: heads.rows };
}

describe('the audit index in PostgreSQL', () => {
  test('any split of the log, each batch delivered twice, gives the same rows and intact chains', async ({
    databaseUrl,
  }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const index = (batch: typeof records) =>
        withTransaction(pool, (tx) => auditEventsIndex.index(tx, TOPIC, 0, batch));
      let applied = 0;
      for (const [from, to] of [
        [0, 3],
        [3, 4],
        [4, records.length],
      ] as const) {
        applied += await index(records.slice(from, to));
        expect(await index(records.slice(from, to))).toBe(0);
      }
      expect(applied).toBe(records.length);
      // An overlapping batch indexes only the positions it has not seen.
      expect(await index(records.slice(2, 6))).toBe(0);
      const once = await snapshot(pool);
      expect(once.rows).toHaveLength(records.length);

      for (const n of [1, 2, 3]) {
        const nhs = testNhsNumber(n);
        const verdict = await verifyPatientChain(pool, nhs);
        expect(verdict).toEqual({ entries: patientEvents(n).length, ok: true });
        const { entries } = await readChain(pool, nhs);
        expect(entries.map((e) => e.chainSeq)).toEqual(entries.map((_, i) => String(i + 1)));
      }

      // The same log indexed in one batch into a fresh database gives the same rows.
      await pool.query('TRUNCATE audit_events, audit_chain_heads');
      await index(records);
      expect(await snapshot(pool)).toEqual(once);
    });
  });

  test('through the exactly-once step the stored offset moves with the rows', async ({ databaseUrl }) => {
    await withDatabase(databaseUrl, async (pool) => {
      await initStoredOffsets(pool, auditEventsIndex.name, TOPIC, new Map([[0, 0n]]));
      const batch = {
        topic: TOPIC,
        partition: 0,
        seekedTo: 0n,
        records: records.map((r) => ({
          offset: r.offset,
          key: Buffer.from(r.event.patient.nhsNumber),
          value: r.value,
          decoded: { ok: true as const, event: r.event },
        })),
      };
      expect(await applyBatchExactlyOnce(pool, auditEventsIndex, batch)).toMatchObject({
        applied: records.length,
        duplicates: 0,
      });
      // Delivered again (a redelivery after a crash before the Kafka commit): skipped as a whole.
      expect(await applyBatchExactlyOnce(pool, auditEventsIndex, batch)).toBeUndefined();
      expect((await readStoredOffsets(pool, auditEventsIndex.name, TOPIC)).get(0)).toBe(BigInt(records.length));
      expect((await pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0]).toEqual({
        n: records.length,
      });
    });
  });

  test('a raw receipt is indexed once, with its bytes exactly', async ({ databaseUrl }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const receipt: RawReceipt = {
        receiptId: '0b0c9a52-6a43-4bd4-8a44-7e1d1f0f6f11',
        receivedAt: new Date('2026-03-02T14:31:10.123Z'),
        channel: 'HL7V2',
        remoteAddress: '127.0.0.1:50000',
        correlationId: 'c-1',
        contentType: 'x-application/hl7-v2+er7',
        messageType: 'ADT^A03',
        messageId: '100187',
        payload: Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0xff, 0x00, 0x0d]),
      };
      const index = (offset: bigint) =>
        withTransaction(pool, (tx) =>
          auditReceiptsIndex.index(tx, 'ns.raw-receipts', 1, [{ offset, event: receipt, value: Buffer.alloc(0) }]),
        );
      expect(await index(7n)).toBe(1);
      expect(await index(9n)).toBe(0); // the same receipt again on the log
      const rows = await pool.query(
        'SELECT receipt_id::text, received_at, payload, partition, "offset"::text AS "offset" FROM audit_receipts',
      );
      expect(rows.rows).toEqual([
        {
          receipt_id: receipt.receiptId,
          received_at: receipt.receivedAt,
          payload: receipt.payload,
          partition: 1,
          offset: '7',
        },
      ]);
    });
  });

  test('a receipt of a refused message whose MSH-10 holds NUL is indexed, the NUL shown as U+2400', async ({
    databaseUrl,
  }) => {
    await withDatabase(databaseUrl, async (pool) => {
      const receipt: RawReceipt = {
        receiptId: '5d1f7b0e-2c7a-4f55-9b0a-3f6f2a1c9e01',
        receivedAt: new Date('2026-03-02T14:31:10.123Z'),
        channel: 'HL7V2',
        remoteAddress: '127.0.0.1:50000',
        correlationId: 'c-\u0000',
        contentType: 'x-application/hl7-v2+er7',
        messageType: 'ORM^O01\u0000',
        messageId: 'MSG\u00001',
        payload: Buffer.from('MSH|^~\\&|A|B|C|D|20260302||ORM^O01|MSG\u00001|P|2.5\r'),
      };
      const indexed = await withTransaction(pool, (tx) =>
        auditReceiptsIndex.index(tx, 'ns.raw-receipts', 0, [{ offset: 3n, event: receipt, value: Buffer.alloc(0) }]),
      );
      expect(indexed).toBe(1);
      const rows = await pool.query('SELECT message_id, message_type, correlation_id, payload FROM audit_receipts');
      expect(rows.rows).toEqual([
        {
          message_id: 'MSG\u24001',
          message_type: 'ORM^O01\u2400',
          correlation_id: 'c-\u2400',
          payload: receipt.payload,
        },
      ]);
    });
  });
});
