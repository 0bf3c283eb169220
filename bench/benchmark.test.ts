import { describe, expect, test } from 'vitest';
import { percentile } from './benchmark.js';

describe('percentile (nearest rank)', () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
  test.each([
    { p: 50, expected: 50 },
    { p: 99, expected: 99 },
    { p: 100, expected: 100 },
    { p: 0, expected: 1 },
  ])('p$p of 1…100 is $expected', ({ p, expected }) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  test('one sample is every percentile; none is NaN', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test('does not reorder the caller’s samples', () => {
    const mine = [3, 1, 2];
    percentile(mine, 50);
    expect(mine).toEqual([3, 1, 2]);
  });
});
