/**
 * The ingest ledger against PostgreSQL: messages in flight together share one read and one
 * write, and each is answered with its own facts — its patients' mappings, its published keys,
 * the mappings it taught that were new.
 */
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
          receiptId: receipt(1),
        }),
        ledger.recordAccepted({
          events: [],
          learnings: [{ nhsNumber: nhs('9990000018'), locals: [local('RXX', 'A1')] }],
          receiptId: receipt(2),
        }),
        ledger.recordAccepted({
          events: [event('k2', '22222222-2222-5222-8222-222222222222')],
          learnings: [{ nhsNumber: nhs('9990000026'), locals: [local('RXX', 'B2')] }],
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
        ledger.readKnownFacts([patient(undefined, local('RXX', 'A1'))], ['k1', 'k9']),
        ledger.readKnownFacts([patient('9990000026')], ['k2']),
        ledger.readKnownFacts([patient(undefined, local('RYY', 'A1'))], ['k3']),
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
});
