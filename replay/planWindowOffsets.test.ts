import { describe, expect, test } from 'vitest';
import { type PartitionAnswers, planWindowOffsets } from './planWindowOffsets.js';

const partition = (p: Partial<PartitionAnswers> & { partition: number }): PartitionAnswers => ({
  low: 0n,
  high: 100n,
  atFrom: 10n,
  atTo: 20n,
  ...p,
});

describe('planWindowOffsets', () => {
  test.each([
    { name: 'record time reads [atFrom, atTo)', given: {}, record: [10n, 20n], clinical: [10n, 100n] },
    {
      name: 'nothing at or after from: empty at the end',
      given: { atFrom: -1n, atTo: -1n },
      record: [100n, 100n],
      clinical: [100n, 100n],
    },
    { name: 'nothing at or after to: up to the end', given: { atTo: -1n }, record: [10n, 100n], clinical: [10n, 100n] },
    { name: 'an empty partition', given: { high: 0n, atFrom: -1n, atTo: -1n }, record: [0n, 0n], clinical: [0n, 0n] },
    {
      name: 'before the low watermark: from low',
      given: { low: 15n, atFrom: 12n },
      record: [15n, 20n],
      clinical: [15n, 100n],
    },
    {
      name: 'answers past the watermark read first: clamped to it',
      given: { high: 18n, atFrom: 19n, atTo: 25n },
      record: [18n, 18n],
      clinical: [18n, 18n],
    },
    {
      name: 'to before from: empty, never negative',
      given: { atFrom: 30n, atTo: 20n },
      record: [30n, 30n],
      clinical: [30n, 100n],
    },
  ])('$name', ({ given, record, clinical }) => {
    const answers = [partition({ partition: 0, ...given })];
    expect(planWindowOffsets(answers, 'record').ranges).toEqual([{ partition: 0, start: record[0], end: record[1] }]);
    expect(planWindowOffsets(answers, 'clinical').ranges).toEqual([
      { partition: 0, start: clinical[0], end: clinical[1] },
    ]);
  });

  test('ranges come by partition number and the offsets add up', () => {
    const plan = planWindowOffsets(
      [
        partition({ partition: 2 }),
        partition({ partition: 0, atFrom: 0n, atTo: 5n }),
        partition({ partition: 1, atFrom: -1n }),
      ],
      'record',
    );
    expect(plan.ranges.map((r) => r.partition)).toEqual([0, 1, 2]);
    expect(plan.offsets).toBe(5n + 0n + 10n);
  });
});
