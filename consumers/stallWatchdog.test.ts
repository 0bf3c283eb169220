import { describe, expect, test } from 'vitest';
import { decideStall, type Lag, type StallCheck } from './stallWatchdog.js';

const TIMEOUT = 60_000;

/** Partition 0 assigned, stored at 5 of 10, nothing fetched, no lag known, at t = 1000. */
const check = (changes: Partial<StallCheck> = {}): StallCheck => ({
  ends: [{ partition: 0, high: 10n }],
  stored: new Map([[0, 5n]]),
  assigned: new Set([0]),
  fetchedThrough: new Map(),
  lastBatchAt: new Map(),
  lagging: new Map(),
  now: 1000,
  stallTimeoutMs: TIMEOUT,
  ...changes,
});

const lagged = (at: bigint, since: number) => new Map<number, Lag>([[0, { at, since }]]);

describe('decideStall', () => {
  test('a partition with records to apply starts lagging now, and is not stalled yet', () => {
    expect(decideStall(check())).toEqual({ lagging: lagged(5n, 1000), stalled: [] });
  });

  test('lagging at the same stored offset for the timeout, with no batch since, is a stall', () => {
    const decided = decideStall(check({ lagging: lagged(5n, 1000), now: 1000 + TIMEOUT }));
    expect(decided.stalled).toEqual([0]);
    expect(decided.lagging.get(0)).toEqual({ at: 5n, since: 1000 });
  });

  test('one moment short of the timeout is not a stall', () => {
    expect(decideStall(check({ lagging: lagged(5n, 1000), now: 999 + TIMEOUT })).stalled).toEqual([]);
  });

  test('a batch handed over since the lag began is not a stall', () => {
    const decided = decideStall(
      check({ lagging: lagged(5n, 1000), lastBatchAt: new Map([[0, 1000]]), now: 1000 + TIMEOUT }),
    );
    expect(decided.stalled).toEqual([]);
  });

  test('a stored offset that moved starts the lag again', () => {
    const decided = decideStall(check({ stored: new Map([[0, 6n]]), lagging: lagged(5n, 1000), now: 1000 + TIMEOUT }));
    expect(decided).toEqual({ lagging: lagged(6n, 1000 + TIMEOUT), stalled: [] });
  });

  test.each([
    { name: 'caught up', changes: { stored: new Map([[0, 10n]]) } },
    { name: 'not assigned to this member', changes: { assigned: new Set<number>() } },
    { name: 'fetched to the end (the rest are transaction markers)', changes: { fetchedThrough: new Map([[0, 10n]]) } },
  ])('a partition $name is not lagging', ({ changes }) => {
    expect(decideStall(check({ ...changes, lagging: lagged(5n, 0), now: 10 * TIMEOUT }))).toEqual({
      lagging: new Map(),
      stalled: [],
    });
  });

  test('a partition with nothing stored lags from offset 0; stalled partitions come sorted', () => {
    const decided = decideStall(
      check({
        ends: [
          { partition: 3, high: 4n },
          { partition: 1, high: 4n },
        ],
        stored: new Map(),
        assigned: new Set([1, 3]),
        lagging: new Map([
          [3, { at: 0n, since: 1000 }],
          [1, { at: 0n, since: 1000 }],
        ]),
        now: 1000 + TIMEOUT,
      }),
    );
    expect(decided.stalled).toEqual([1, 3]);
  });
});
