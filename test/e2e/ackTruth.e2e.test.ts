/**
 * AR ("nothing accepted, resend") only when nothing was published. When PostgreSQL fails the
 * ledger write after Kafka acknowledged the events, the message is on the log: the sender gets
 * AA, not AR, and its resend is recognised as the same fact: exactly one record on the log.
 */
import pg from 'pg';
import { describe, expect } from 'vitest';
import { msaOf, sendOverMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { readCanonicalEvents, serviceTest as test } from '../support/serviceUnderTest.js';

describe('answers tell the truth about the log', () => {
  test('a ledger write that fails after the ack is not answered AR, and the resend leaves exactly one record on the log', async ({
    service,
    databaseUrl,
  }) => {
    const admin = new pg.Client({ connectionString: databaseUrl.toString() });
    await admin.connect();
    try {
      // PostgreSQL goes away between the ack and the ledger write: the next three writes of a
      // published key fail as a terminated connection does (57P01). A sequence counts them,
      // since each refusal rolls everything else back.
      await admin.query(`
        CREATE SEQUENCE ledger_refusals;
        CREATE FUNCTION refuse_ledger_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('ledger_refusals') <= 3 THEN
            RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_ledger_write BEFORE INSERT ON ingest_published_events
          FOR EACH ROW EXECUTE FUNCTION refuse_ledger_write();`);

      const order = sampleBytes('hl7v2/orm_o01_new_order.hl7');
      const first = await sendOverMllp(service.mllpPort, order);
      expect(msaOf(first).code).toBe('AA');
      expect(await readCanonicalEvents(service)).toHaveLength(1);

      // The sender resends (its AA was lost, say) while the write is still being retried, and again after.
      expect(msaOf(await sendOverMllp(service.mllpPort, order)).code).toBe('AA');
      await service.ingest.idle();
      const stored = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_published_events');
      expect(stored.rows[0]?.n).toBe(1);
      const again = await sendOverMllp(service.mllpPort, order);
      expect(msaOf(again).code).toBe('AA');
      expect(again).toContain('duplicate of an accepted message');

      const events = await readCanonicalEvents(service);
      expect(events.map((e) => e.type)).toEqual(['MedicationOrdered']);
    } finally {
      await admin.end();
    }
  });
});
