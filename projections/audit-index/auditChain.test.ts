import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { aDiagnosis, aDischarge, aMedicationOrder } from '../../test/support/eventBuilders.js';
import {
  appendToChains,
  type ChainHead,
  entryHash,
  GENESIS_HASH,
  type NewAuditEntry,
  type StoredAuditEntry,
  verifyChain,
} from './auditChain.js';
import { type AuditEntryColumns, auditEntryText } from './auditEntryText.js';

const A = '9991000216';
const B = '9991000224';
const TOPIC = 'ns.clinical-events';

/** Records on one partition from offset 10 on, with a recognisable value per record. */
const recordsOf = (events: readonly ClinicalEvent[], from = 10n) =>
  events.map((event, i) => ({ offset: from + BigInt(i), event, value: Buffer.from(`record ${from + BigInt(i)}`) }));

const stored = (e: NewAuditEntry): StoredAuditEntry => ({
  ...e.columns,
  recordValue: e.recordValue,
  prevHash: e.prevHash,
  entryHash: e.entryHash,
});

const eventsOfA = [
  aDischarge({ nhsNumber: A, at: '2026-03-02T14:30:00Z' }),
  aDiagnosis({ nhsNumber: A, diagnosisId: 'D1', at: '2026-03-01T10:00:00Z' }),
  aMedicationOrder({ nhsNumber: A, orderId: 'O1', at: '2026-03-02T09:00:00Z' }),
  aDiagnosis({ nhsNumber: A, diagnosisId: 'D2', at: '2026-03-03T10:00:00Z' }),
  aMedicationOrder({ nhsNumber: A, orderId: 'O2', at: '2026-03-04T09:00:00Z' }),
];

/** Patient A's chain as stored, and its head. */
function chainOfA(): { entries: StoredAuditEntry[]; head: ChainHead } {
  const appended = appendToChains(TOPIC, 1, recordsOf(eventsOfA), new Map());
  const head = appended.heads.get(A);
  if (head === undefined) throw new Error('no head');
  return { entries: appended.entries.map(stored), head };
}

describe('appending to the chains', () => {
  test('each patient has its own chain: 1, 2, 3 … in log order, the first linked to 64 zeros', () => {
    const events = [
      aDischarge({ nhsNumber: A }),
      aDischarge({ nhsNumber: B }),
      aDiagnosis({ nhsNumber: A }),
      aDiagnosis({ nhsNumber: B }),
      aMedicationOrder({ nhsNumber: A }),
    ];
    const { entries, heads } = appendToChains(TOPIC, 0, recordsOf(events), new Map());
    expect(entries.map((e) => [e.columns.nhsNumber, e.columns.chainSeq, e.columns.offset])).toEqual([
      [A, '1', '10'],
      [B, '1', '11'],
      [A, '2', '12'],
      [B, '2', '13'],
      [A, '3', '14'],
    ]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[2]?.prevHash).toBe(entries[0]?.entryHash);
    expect(heads.get(A)).toEqual({ chainSeq: 3n, entryHash: entries[4]?.entryHash });
    expect(heads.get(B)).toEqual({ chainSeq: 2n, entryHash: entries[3]?.entryHash });
  });

  test.prop([fc.integer({ min: 0, max: eventsOfA.length })])(
    'a batch split anywhere gives the same chain as one batch',
    (split) => {
      const all = recordsOf(eventsOfA);
      const first = appendToChains(TOPIC, 1, all.slice(0, split), new Map());
      const second = appendToChains(TOPIC, 1, all.slice(split), first.heads);
      expect([...first.entries, ...second.entries]).toEqual(appendToChains(TOPIC, 1, all, new Map()).entries);
    },
  );

  test('the hash is sha256(prev ‖ sha256(bytes) ‖ sha256(text)): a documented, reproducible value', () => {
    expect(entryHash(GENESIS_HASH, Buffer.from('value'), '["text"]')).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(GENESIS_HASH, Buffer.from('value'), '["text"]')).not.toBe(
      entryHash(GENESIS_HASH, Buffer.from('valu'), 'e["text"]'),
    );
  });
});

describe('verifying a chain', () => {
  test('an untouched chain verifies, with its entry count', () => {
    const { entries, head } = chainOfA();
    expect(verifyChain(entries, head)).toEqual({ entries: 5, ok: true });
  });

  test('no entries and no head (or a head at 0) is an empty, intact chain', () => {
    expect(verifyChain([], undefined)).toEqual({ entries: 0, ok: true });
    expect(verifyChain([], { chainSeq: 0n, entryHash: GENESIS_HASH })).toEqual({ entries: 0, ok: true });
  });

  const columns: (keyof AuditEntryColumns)[] = [
    'topic',
    'partition',
    'offset',
    'eventId',
    'eventType',
    'nhsNumber',
    'occurredAtMicros',
    'recordedAtMicros',
    'correlationId',
    'sourceChannel',
    'sourceSystem',
    'sourceMessageId',
    'receiptId',
    'payloadText',
  ];

  test.prop([fc.integer({ min: 0, max: eventsOfA.length - 1 }), fc.constantFrom(...columns)])(
    'altering any column of any row breaks the chain at exactly that row',
    (row, column) => {
      const { entries, head } = chainOfA();
      const target = entries[row] as StoredAuditEntry;
      const value = target[column];
      // A microsecond, one more offset, one character: the smallest changes.
      const altered = typeof value === 'number' ? value + 1 : value === null ? 'x' : `${value}0`;
      entries[row] = { ...target, [column]: altered };
      expect(verifyChain(entries, head).firstBrokenLink).toMatchObject({
        chainSeq: row + 1,
        reason: 'entry-hash-mismatch',
      });
    },
  );

  test.prop([fc.integer({ min: 0, max: eventsOfA.length - 1 })])(
    'one byte of a record value changed breaks the chain at that row',
    (row) => {
      const { entries, head } = chainOfA();
      const target = entries[row] as StoredAuditEntry;
      const bytes = Buffer.from(target.recordValue);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      entries[row] = { ...target, recordValue: bytes };
      const verdict = verifyChain(entries, head);
      expect(verdict.ok).toBe(false);
      expect(verdict.firstBrokenLink).toEqual({
        chainSeq: row + 1,
        partition: 1,
        offset: target.offset,
        eventId: target.eventId,
        reason: 'entry-hash-mismatch',
      });
    },
  );

  test('a stored prev_hash or entry_hash altered is caught at its row', () => {
    const a = chainOfA();
    a.entries[2] = { ...(a.entries[2] as StoredAuditEntry), prevHash: GENESIS_HASH };
    expect(verifyChain(a.entries, a.head).firstBrokenLink).toMatchObject({ chainSeq: 3, reason: 'prev-hash-mismatch' });
    const b = chainOfA();
    b.entries[2] = { ...(b.entries[2] as StoredAuditEntry), entryHash: GENESIS_HASH };
    expect(verifyChain(b.entries, b.head).firstBrokenLink).toMatchObject({
      chainSeq: 3,
      reason: 'entry-hash-mismatch',
    });
  });

  test('rewriting a row together with its own hash is caught at the next row', () => {
    const { entries, head } = chainOfA();
    const target = entries[1] as StoredAuditEntry;
    const forged = { ...target, correlationId: 'forged' };
    const { recordValue, prevHash, entryHash: _, ...columnsOnly } = forged;
    // The forger writes the hash the altered row would have; the next row still links to the old one.
    entries[1] = { ...forged, entryHash: entryHash(prevHash, recordValue, auditEntryText(columnsOnly)) };
    expect(verifyChain(entries, head).firstBrokenLink).toMatchObject({ chainSeq: 3, reason: 'prev-hash-mismatch' });
  });

  test('a deleted row is reported as the missing chain_seq', () => {
    const { entries, head } = chainOfA();
    entries.splice(2, 1);
    expect(verifyChain(entries, head).firstBrokenLink).toEqual({
      chainSeq: 3,
      partition: null,
      offset: null,
      eventId: null,
      reason: 'entry-missing',
    });
  });

  test('the last rows deleted are caught against the head', () => {
    const { entries, head } = chainOfA();
    entries.splice(3);
    expect(verifyChain(entries, head).firstBrokenLink).toMatchObject({ chainSeq: 4, reason: 'entry-missing' });
  });

  test('two rows swapped (their chain_seq exchanged) break the chain at the first', () => {
    const { entries, head } = chainOfA();
    const second = entries[1] as StoredAuditEntry;
    const fourth = entries[3] as StoredAuditEntry;
    // As read back ORDER BY chain_seq: the fourth row now sits second.
    entries[1] = { ...fourth, chainSeq: '2' };
    entries[3] = { ...second, chainSeq: '4' };
    expect(verifyChain(entries, head).firstBrokenLink).toMatchObject({ chainSeq: 2 });
  });

  test('a repeated chain_seq is a broken sequence', () => {
    const { entries, head } = chainOfA();
    entries.splice(2, 0, entries[1] as StoredAuditEntry);
    expect(verifyChain(entries, head).firstBrokenLink).toMatchObject({ chainSeq: 2, reason: 'sequence-broken' });
  });

  test('a head that disagrees with the last entry, or is missing, is a head mismatch', () => {
    const { entries, head } = chainOfA();
    expect(verifyChain(entries, { ...head, entryHash: GENESIS_HASH }).firstBrokenLink).toMatchObject({
      chainSeq: 5,
      reason: 'head-mismatch',
    });
    expect(verifyChain(entries, { ...head, chainSeq: 4n }).firstBrokenLink).toMatchObject({
      chainSeq: 5,
      reason: 'head-mismatch',
    });
    expect(verifyChain(entries, undefined).firstBrokenLink).toMatchObject({ chainSeq: 5, reason: 'head-mismatch' });
  });

  test('a chain whose order is not log order within its partition is refused', () => {
    const records = recordsOf(eventsOfA.slice(0, 2)).reverse(); // offsets 11, then 10
    const { entries, heads } = appendToChains(TOPIC, 1, records, new Map());
    expect(verifyChain(entries.map(stored), heads.get(A)).firstBrokenLink).toMatchObject({
      chainSeq: 2,
      reason: 'out-of-log-order',
    });
  });
});
