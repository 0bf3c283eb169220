import { describe, expect, test } from 'vitest';
import { rebuildRatioOf, viewPositionsOf } from './viewPositions.js';

const ends = [
  { partition: 0, low: 0n, high: 10n },
  { partition: 1, low: 5n, high: 25n },
  { partition: 2, low: 0n, high: 0n },
];

describe('view positions', () => {
  test('lag is end minus stored; the last applied offset is stored − 1; nothing stored: all to go', () => {
    expect(
      viewPositionsOf(
        'gp-view',
        ends,
        new Map([
          [0, 10n],
          [1, 20n],
        ]),
      ),
    ).toEqual([
      { view: 'gp-view', partition: 0, lastApplied: 9n, lag: 0n },
      { view: 'gp-view', partition: 1, lastApplied: 19n, lag: 5n },
      { view: 'gp-view', partition: 2, lastApplied: undefined, lag: 0n },
    ]);
    expect(viewPositionsOf('v', [{ partition: 0, low: 0n, high: 7n }], new Map())[0]?.lag).toBe(7n);
  });

  test('a rebuild: records applied over records on the log, from each first offset', () => {
    expect(rebuildRatioOf(ends, new Map())).toBe(0);
    expect(
      rebuildRatioOf(
        ends,
        new Map([
          [0, 10n],
          [1, 25n],
        ]),
      ),
    ).toBe(1);
    expect(
      rebuildRatioOf(
        ends,
        new Map([
          [0, 5n],
          [1, 15n],
        ]),
      ),
    ).toBe(15 / 30);
    expect(rebuildRatioOf([], new Map())).toBe(1);
  });
});
