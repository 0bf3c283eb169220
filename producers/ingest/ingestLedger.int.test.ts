/**
 * The ingest ledger against PostgreSQL: messages in flight together share one read and one
 * write, and each is answered with its own facts — its patients' mappings, its published keys,
 * the mappings it taught that were new.
 */
import { createHash } from 'node:crypto';
import type { NhsNumber } from '../../core/nhsNumber.js';
import { createPool } from '../../platform/postgres.js';
import { runMigrations } from '../../platform/runMigrations.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { exampleEvents } from '../../test/support/exampleEvents.js';
import { describe, expect, test } from '../../test/support/fixtures.js';
import { createIngestLedger } from './ingestLedger.js';

const nhs = (n: string) => n as NhsNumber;
const local = (authority: string, value: string) => ({ authority, value, identifierType: 'MR' });
const event = (dedupKey: string, eventId: string): ClinicalEvent => ({
  ...exampleEvents.MedicationOrdered,
  dedupKey,
  eventId,
});
const receipt = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

describe('ingest ledger', () => {
  test('messages in flight together share statements, each answered with its own facts', async ({ databaseUrl }) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 4 });
    try {
      const ledger = createIngestLedger(pool);
      // Three messages accepted at once: two teach the same mapping, one publishes a key.
      const learned = await Promise.all([
        ledger.recordAccepted({
          events: [event('k1', '11111111-1111-5111-8111-111111111111')],
          learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', 'A1')] }],
          sources: [],
          receiptId: receipt(1),
        }),
        ledger.recordAccepted({
          events: [],
          learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', 'A1')] }],
          sources: [],
          receiptId: receipt(2),
        }),
        ledger.recordAccepted({
          events: [event('k2', '22222222-2222-5222-8222-222222222222')],
          learnings: [{ nhsNumber: nhs('9990000026'), locals: [local('RXX', 'B2')] }],
          sources: [],
          receiptId: receipt(3),
        }),
      ]);
      // A1 is new to whichever of the first two committed it (to both when they shared a statement).
      expect(learned[2]).toEqual([{ authority: 'RXX', localId: 'B2' }]);
      expect([...(learned[0] ?? []), ...(learned[1] ?? [])]).toContainEqual({ authority: 'RXX', localId: 'A1' });
      // Taught again later: nothing new.
      expect(
        await ledger.recordAccepted({
          events: [event('k1', '11111111-1111-5111-8111-111111111111')],
          learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', 'A1')] }],
          sources: [],
          receiptId: receipt(4),
        }),
      ).toEqual([]);

      const patient = (nhsNumber: string | undefined, ...locals: ReturnType<typeof local>[]) => ({
        nhsNumber: nhsNumber === undefined ? undefined : nhs(nhsNumber),
        nhsNumberVerificationStatus: null,
        localIdentifiers: locals,
      });
      // Six reads at once: the first two take the free slots, the other four share one statement.
      const reads = () => [
        ledger.readKnownFacts([patient(undefined, local('RXX', 'A1'))], ['k1', 'k9'], []),
        ledger.readKnownFacts([patient('9990000026')], ['k2'], []),
        ledger.readKnownFacts([patient(undefined, local('RYY', 'A1'))], ['k3'], []),
      ];
      const known = await Promise.all([...reads(), ...reads()]);
      const answers = [
        { mappings: [[{ authority: 'RXX', localId: 'A1', nhsNumber: '9990000018' }]], published: ['k1'] },
        { mappings: [[{ authority: 'RXX', localId: 'B2', nhsNumber: '9990000026' }]], published: ['k2'] },
        { mappings: [[]], published: [] },
      ];
      expect(known.map((k) => ({ mappings: k.mappingsByPatient, published: [...k.published] }))).toEqual([
        ...answers,
        ...answers,
      ]);
      const rows = await pool.query<{ dedup_key: string; receipt_id: string }>(
        'SELECT dedup_key, receipt_id FROM ingest_published_events ORDER BY dedup_key',
      );
      expect(rows.rows).toEqual([
        { dedup_key: 'k1', receipt_id: receipt(1) },
        { dedup_key: 'k2', receipt_id: receipt(3) },
      ]);
    } finally {
      await pool.end();
    }
  });

  test('keys of any length are written and found (indexed by hash): the write after the ack cannot hit the index row limit', async ({
    databaseUrl,
  }) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 2 });
    try {
      const ledger = createIngestLedger(pool);
      // 6,016 characters that do not compress (a btree row is compressed before the ~2.7 kB limit applies).
      const long = Array.from({ length: 94 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('');
      const key = `hl7v2|EPR|RXX01|${long}|ORC#1`;
      const identity = `hl7v2|EPR|RXX01|${long}`;
      const hash = 'a'.repeat(64);
      const learned = await ledger.recordAccepted({
        events: [event(key, '33333333-3333-5333-8333-333333333333')],
        learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', long)] }],
        sources: [{ identity, contentHash: hash }],
        receiptId: receipt(5),
      });
      expect(learned).toEqual([{ authority: 'RXX', localId: long }]);
      expect(ledger.unrecordedCount()).toBe(0);
      const known = await ledger.readKnownFacts(
        [{ nhsNumber: undefined, nhsNumberVerificationStatus: null, localIdentifiers: [local('RXX', long)] }],
        [key],
        [identity, 'hl7v2|EPR|RXX01|other'],
      );
      expect(known.mappingsByPatient).toEqual([[{ authority: 'RXX', localId: long, nhsNumber: '9990000018' }]]);
      expect([...known.published]).toEqual([key]);
      expect([...known.contentHashes]).toEqual([[identity, hash]]);
    } finally {
      await pool.end();
    }
  });

  test('a write that fails after the ack is counted as written by every read, and retried until it lands', async ({
    databaseUrl,
  }) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 2 });
    const admin = createPool(databaseUrl, { max: 1 });
    try {
      // PostgreSQL refuses the next two writes as a lost connection would be answered (57P01); a
      // sequence counts them, since the refusal rolls back everything else.
      await admin.query(`
        CREATE SEQUENCE refusals;
        CREATE FUNCTION refuse_while_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('refusals') <= 2 THEN
            RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_while_down BEFORE INSERT ON ingest_published_events
          FOR EACH ROW EXECUTE FUNCTION refuse_while_down();`);
      const later: unknown[] = [];
      const ledger = createIngestLedger(pool, {
        onRecordedLater: (learned) => later.push(...learned),
        retry: { initialDelayMs: 10, maxDelayMs: 10 },
      });
      const key = 'json|order-1';
      const identity = 'json|order-1';
      expect(
        await ledger.recordAccepted({
          events: [event(key, '44444444-4444-5444-8444-444444444444')],
          learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', 'C3')] }],
          sources: [{ identity, contentHash: 'b'.repeat(64) }],
          receiptId: receipt(6),
        }),
      ).toEqual([]);
      // Not in PostgreSQL yet, or already: either way a read finds it.
      const known = await ledger.readKnownFacts(
        [{ nhsNumber: undefined, nhsNumberVerificationStatus: null, localIdentifiers: [local('RXX', 'C3')] }],
        [key],
        [identity],
      );
      expect([...known.published]).toEqual([key]);
      expect(known.contentHashes.get(identity)).toBe('b'.repeat(64));
      expect(known.mappingsByPatient).toEqual([[{ authority: 'RXX', localId: 'C3', nhsNumber: '9990000018' }]]);
      await ledger.settled();
      expect(ledger.unrecordedCount()).toBe(0);
      expect(later).toEqual([{ authority: 'RXX', localId: 'C3' }]);
      const rows = await admin.query('SELECT dedup_key FROM ingest_published_events');
      expect(rows.rows).toEqual([{ dedup_key: key }]);
      await ledger.close();
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
