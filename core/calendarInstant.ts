/**
 * Written calendar parts as the instant they name, with the checks every reader of a written
 * time shares: the day must exist in the proleptic Gregorian calendar (never rolled over, so
 * 31 February is no day), hours 00–23, minutes and seconds 00–59 (a Date cannot hold a leap
 * second, and reading :60 as the next minute would change the value quietly). Years 0–9999
 * work as written (`Date.UTC` would move 0–99 to 1900–1999). Each channel's grammar, offset
 * rules and window stay with its reader. Pure.
 */

export type CalendarParts = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  readonly millisecond?: number;
};

/** Whether the day exists: month 1–12, day 1 to the month's length (29 February in leap years only). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The instant the parts name, read at `offsetMinutes` east of UTC (so `10:00+01:00` is 09:00Z);
 * undefined when they name none. Absent time parts are 0.
 */
export function calendarInstant(parts: CalendarParts, offsetMinutes = 0): Date | undefined {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = parts;
  if (!isCalendarDay(year, month, day)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (millisecond < 0 || millisecond > 999) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second, millisecond);
  return new Date(at.getTime() - offsetMinutes * 60_000);
}
