import { describe, expect, it } from 'vitest';
import { appendPoint, emptyHistory, ratePerSecond } from './rates.js';

describe('rates from counter readings', () => {
  it('divides the increase by the seconds between readings', () => {
    expect(ratePerSecond({ at: 1000, value: 10 }, { at: 3000, value: 16 })).toBe(3);
  });
  it('counts from zero after a reset', () => {
    expect(ratePerSecond({ at: 0, value: 50 }, { at: 2000, value: 4 })).toBe(2);
  });
  it('has no rate without time between readings', () => {
    expect(ratePerSecond({ at: 1000, value: 1 }, { at: 1000, value: 2 })).toBeUndefined();
  });
});

describe('the charts’ history', () => {
  it('aligns series seen at different times with nulls and keeps the last points', () => {
    let h = appendPoint(emptyHistory, 1000, new Map([['a', 1]]), 2);
    h = appendPoint(h, 2000, new Map([['b', 5]]), 2);
    expect(h.times).toEqual([1, 2]);
    expect(h.series.get('a')).toEqual([1, null]);
    expect(h.series.get('b')).toEqual([null, 5]);
    h = appendPoint(h, 3000, new Map([['a', 3]]), 2);
    expect(h.times).toEqual([2, 3]);
    expect(h.series.get('a')).toEqual([null, 3]);
    expect(h.series.get('b')).toEqual([5, null]);
  });
});
