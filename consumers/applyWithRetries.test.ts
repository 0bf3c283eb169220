import { describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Batch, BatchRecord, BatchResult } from './applyBatchExactlyOnce.js';
import { applyWithRetries } from './applyWithRetries.js';
import { HoldPlacedError, PartitionOwnershipLostError, StoredOffsetGapError } from './consumerErrors.js';

type Event = { readonly eventId: string };

const record = (offset: number): BatchRecord<Event> => ({
  offset: BigInt(offset),
  key: null,
  value: Buffer.from([offset]),
  decoded: { ok: true, event: { eventId: `00000000-0000-4000-8000-00000000000${offset}` } },
});

const batchOf = (...offsets: number[]): Batch<Event> => ({
  topic: 't',
  partition: 0,
  records: offsets.map(record),
  seekedTo: undefined,
});

const resultFor = (batch: Batch<Event>): BatchResult => ({
  from: batch.records[0]?.offset ?? 0n,
  to: (batch.records.at(-1)?.offset ?? -1n) + 1n,
  applied: batch.records.filter((r) => r.decoded.ok).length,
  duplicates: 0,
  deadLettered: batch.records.filter((r) => !r.decoded.ok).length,
  skipped: 0,
});

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

/** An apply that runs `answer` for each call and records what each call was given. */
function scriptedApply(answer: (batch: Batch<Event>, call: number) => Error | undefined) {
  const calls: { readonly offsets: number[]; readonly attempt: number; readonly poisoned: string | null }[] = [];
  const apply = async (batch: Batch<Event>, attempt: number) => {
    calls.push({
      offsets: batch.records.map((r) => Number(r.offset)),
      attempt,
      poisoned: batch.records.find((r) => !r.decoded.ok)?.decoded.ok === false ? 'yes' : null,
    });
    const failure = answer(batch, calls.length);
    if (failure !== undefined) throw failure;
    return resultFor(batch);
  };
  return { calls, apply };
}

function depsFor(apply: ReturnType<typeof scriptedApply>['apply'], signal = new AbortController().signal) {
  const waits: number[] = [];
  return {
    waits,
    deps: {
      apply,
      maxAttempts: 3,
      logger: createLogger('silent'),
      signal,
      delay: async (ms: number) => {
        waits.push(ms);
      },
    },
  };
}

describe('applyWithRetries', () => {
  test('a batch that fails once is applied again, whole, with nothing dead-lettered', async () => {
    const { calls, apply } = scriptedApply((_, call) => (call === 1 ? new Error('flaky') : undefined));
    const { deps, waits } = depsFor(apply);
    const result = await applyWithRetries(batchOf(0, 1, 2), deps);
    expect(result?.deadLettered).toBe(0);
    expect(calls).toEqual([
      { offsets: [0, 1, 2], attempt: 1, poisoned: null },
      { offsets: [0, 1, 2], attempt: 2, poisoned: null },
    ]);
    expect(waits).toEqual([]);
  });

  test('a record that keeps failing is isolated and dead-lettered alone, with its failure; the others apply', async () => {
    const failure = Object.assign(new Error('value out of range'), { code: '22008' });
    const { calls, apply } = scriptedApply((batch) =>
      batch.records.some((r) => r.offset === 1n && r.decoded.ok) ? failure : undefined,
    );
    const { deps } = depsFor(apply);
    const applied: BatchRecord<Event>[] = [];
    const result = await applyWithRetries(batchOf(0, 1, 2), {
      ...deps,
      apply: (batch, attempt) => {
        if (batch.records.length === 1 && batch.records[0]?.offset === 1n) applied.push(...batch.records);
        return apply(batch, attempt);
      },
    });
    expect(calls).toEqual([
      { offsets: [0, 1, 2], attempt: 1, poisoned: null },
      { offsets: [0, 1, 2], attempt: 2, poisoned: null },
      { offsets: [0, 1, 2], attempt: 3, poisoned: null },
      { offsets: [0], attempt: 1, poisoned: null },
      { offsets: [1], attempt: 1, poisoned: null },
      { offsets: [1], attempt: 2, poisoned: null },
      { offsets: [1], attempt: 3, poisoned: null },
      { offsets: [1], attempt: 3, poisoned: 'yes' },
      { offsets: [2], attempt: 1, poisoned: null },
    ]);
    expect(applied.at(-1)?.decoded).toEqual({
      ok: false,
      errorCode: '22008',
      error: 'value out of range',
      eventId: '00000000-0000-4000-8000-000000000001',
    });
    expect(result?.from).toBe(2n);
  });

  test('a hold placed while the batch ran is applied again at once, not counted against the records', async () => {
    const { calls, apply } = scriptedApply((_, call) =>
      call <= 4 ? new HoldPlacedError('gp-view', 't', 0) : undefined,
    );
    const { deps, waits } = depsFor(apply);
    await applyWithRetries(batchOf(0, 1), { ...deps, maxAttempts: 1 });
    expect(calls.map((c) => [c.attempt, c.poisoned])).toEqual(Array.from({ length: 5 }, () => [1, null]));
    expect(waits).toEqual([]);
  });

  test('transient database errors are waited out uncounted: 200 ms per attempt the records used', async () => {
    const { calls, apply } = scriptedApply((_, call) =>
      call === 1 ? new Error('records fault') : call <= 4 ? deadlock() : undefined,
    );
    const { deps, waits } = depsFor(apply);
    const result = await applyWithRetries(batchOf(0), { ...deps, maxAttempts: 2 });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 2, 2, 2]);
    expect(waits).toEqual([400, 400, 400]);
    expect(result?.deadLettered).toBe(0);
  });

  test.each([
    { name: 'a gap before the batch', failure: new StoredOffsetGapError('gp-view', 't', 0, 5n, 7n) },
    { name: 'a partition another instance applied', failure: new PartitionOwnershipLostError('gp-view', 't', 0, 5n) },
  ])('$name ends the batch at once, unretried', async ({ failure }) => {
    const { calls, apply } = scriptedApply(() => failure);
    const { deps } = depsFor(apply);
    await expect(applyWithRetries(batchOf(0, 1), deps)).rejects.toBe(failure);
    expect(calls).toHaveLength(1);
  });

  test('stopping while the database is away ends the batch with the database failure, nothing dead-lettered', async () => {
    const stopping = new AbortController();
    const failure = deadlock();
    const { calls, apply } = scriptedApply(() => {
      stopping.abort();
      return failure;
    });
    const { deps } = depsFor(apply, stopping.signal);
    await expect(applyWithRetries(batchOf(0), deps)).rejects.toBe(failure);
    expect(calls).toHaveLength(1);
  });
});
