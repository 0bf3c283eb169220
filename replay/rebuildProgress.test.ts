import { describe, expect, test } from 'vitest';
import {
  describeOffsets,
  describeProgress,
  isCaughtUp,
  lagOf,
  type ProgressSample,
  positionOf,
  sameOffsets,
} from './rebuildProgress.js';

const offsets = (...pairs: [number, bigint][]) => new Map(pairs);
const counts = { applied: 0, duplicates: 0, deadLettered: 0 };

describe('a rebuild against the log', () => {
  test.each([
    { name: 'behind on every partition', stored: offsets([0, 5n], [1, 0n]), ends: offsets([0, 10n], [1, 4n]), lag: 9n },
    {
      name: 'a partition never stored counts whole',
      stored: offsets([0, 10n]),
      ends: offsets([0, 10n], [1, 7n]),
      lag: 7n,
    },
    { name: 'at the end', stored: offsets([0, 10n], [1, 4n]), ends: offsets([0, 10n], [1, 4n]), lag: 0n },
    {
      name: 'past a stale end offset is not negative lag',
      stored: offsets([0, 12n]),
      ends: offsets([0, 10n]),
      lag: 0n,
    },
  ])('$name: lag $lag', ({ stored, ends, lag }) => {
    expect(lagOf(stored, ends)).toBe(lag);
    expect(isCaughtUp(stored, ends)).toBe(lag === 0n);
  });

  test('position is the sum over partitions; offsets print by partition', () => {
    expect(positionOf(offsets([2, 3n], [0, 4n]))).toBe(7n);
    expect(describeOffsets(offsets([2, 3n], [0, 4n]))).toBe('0:4 2:3');
    expect(describeOffsets(offsets())).toBe('(none)');
  });

  test('the same offsets means the same partitions at the same offsets', () => {
    expect(sameOffsets(offsets([0, 1n], [1, 2n]), offsets([1, 2n], [0, 1n]))).toBe(true);
    expect(sameOffsets(offsets([0, 1n], [1, 2n]), offsets([0, 1n], [1, 3n]))).toBe(false);
    expect(sameOffsets(offsets([0, 1n]), offsets([0, 1n], [1, 0n]))).toBe(false);
  });
});

describe('describeProgress', () => {
  const first: ProgressSample = { at: 0, stored: offsets([0, 0n]), ends: offsets([0, 4000n]) };

  test('rate over the window, lag and the time to catch up at that rate', () => {
    const now: ProgressSample = { at: 2000, stored: offsets([0, 1000n]), ends: offsets([0, 4000n]) };
    expect(describeProgress('gp-view v2', { ...counts, applied: 900, duplicates: 100 }, first, now)).toBe(
      'gp-view v2: 900 events applied (100 duplicates skipped) · 500 events/s · at offset 1000 of 4000 · lag 3000 · ETA 6s',
    );
  });

  test('caught up', () => {
    const now: ProgressSample = { at: 1000, stored: offsets([0, 4000n]), ends: offsets([0, 4000n]) };
    expect(describeProgress('v', { ...counts, applied: 4000 }, first, now)).toMatch(/lag 0 · caught up$/);
  });

  test('no rate yet: no ETA', () => {
    expect(describeProgress('v', counts, first, first)).toBe(
      'v: 0 events applied · … events/s · at offset 0 of 4000 · lag 4000 · ETA unknown',
    );
  });

  test('long ETAs in minutes or hours', () => {
    const slow = (lag: bigint): ProgressSample => ({
      at: 1000,
      stored: offsets([0, 1n]),
      ends: offsets([0, 1n + lag]),
    });
    expect(describeProgress('v', counts, first, slow(150n))).toMatch(/ETA 2m30s$/);
    expect(describeProgress('v', counts, first, slow(7260n))).toMatch(/ETA 2h01m$/);
  });
});
