import { describe, expect, test } from 'vitest';
import { calendarInstant, isCalendarDay } from './calendarInstant.js';

describe('isCalendarDay', () => {
  test.each([
    { y: 2024, m: 2, d: 29, is: true },
    { y: 2026, m: 2, d: 29, is: false },
    { y: 1900, m: 2, d: 29, is: false },
    { y: 2000, m: 2, d: 29, is: true },
    { y: 2026, m: 2, d: 31, is: false },
    { y: 2026, m: 4, d: 31, is: false },
    { y: 2026, m: 12, d: 31, is: true },
    { y: 2026, m: 13, d: 1, is: false },
    { y: 2026, m: 0, d: 1, is: false },
    { y: 2026, m: 1, d: 0, is: false },
    { y: 0, m: 1, d: 1, is: true },
    { y: 99, m: 12, d: 31, is: true },
    { y: 9999, m: 12, d: 31, is: true },
  ])('$y-$m-$d: $is', ({ y, m, d, is }) => {
    expect(isCalendarDay(y, m, d)).toBe(is);
  });
});

describe('calendarInstant', () => {
  test.each([
    {
      name: 'a time in UTC',
      parts: { year: 2026, month: 3, day: 1, hour: 9, minute: 5, second: 7, millisecond: 500 },
      offset: 0,
      iso: '2026-03-01T09:05:07.500Z',
    },
    {
      name: 'an hour east of UTC',
      parts: { year: 2026, month: 3, day: 1, hour: 10 },
      offset: 60,
      iso: '2026-03-01T09:00:00.000Z',
    },
    {
      name: 'across midnight backwards',
      parts: { year: 2026, month: 3, day: 1, hour: 0, minute: 30 },
      offset: 120,
      iso: '2026-02-28T22:30:00.000Z',
    },
    {
      name: 'west of UTC',
      parts: { year: 2026, month: 12, day: 31, hour: 23 },
      offset: -300,
      iso: '2027-01-01T04:00:00.000Z',
    },
    {
      name: 'a year below 100, as written',
      parts: { year: 42, month: 6, day: 1 },
      offset: 0,
      iso: '0042-06-01T00:00:00.000Z',
    },
    { name: 'hour 24', parts: { year: 2026, month: 3, day: 1, hour: 24 }, offset: 0, iso: undefined },
    { name: 'minute 60', parts: { year: 2026, month: 3, day: 1, hour: 9, minute: 60 }, offset: 0, iso: undefined },
    {
      name: 'a leap second',
      parts: { year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 60 },
      offset: 0,
      iso: undefined,
    },
    { name: '31 February', parts: { year: 2026, month: 2, day: 31 }, offset: 0, iso: undefined },
  ])('$name: $iso', ({ parts, offset, iso }) => {
    expect(calendarInstant(parts, offset)?.toISOString()).toBe(iso);
  });
});
