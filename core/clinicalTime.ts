/**
 * Source times to instants: HL7 v2 DTM/TS strings, read with their own offset or, without one,
 * as local time in a named IANA zone (never the machine's). Pure.
 */
import { calendarInstant } from './calendarInstant.js';
import { err, ok, type Result } from './result.js';

/** The zone UK senders mean when a timestamp carries no offset: GMT in winter, BST in summer. */
export const UK_ZONE = 'Europe/London';

export type InvalidTimestamp = { readonly kind: 'invalid-timestamp' };

/** How much of `YYYYMMDDHHMMSS.SSSS` was sent; the instant is the start of that period. */
export type TimestampPrecision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction';

export type Hl7Timestamp = {
  readonly instant: Date;
  readonly precision: TimestampPrecision;
  /** True when the string had an explicit `+HHMM`/`-HHMM` offset. */
  readonly hadOffset: boolean;
  /**
   * True for a local time inside the autumn repeated hour (01:30 on the last Sunday of October in
   * London happens twice); `instant` is then the earlier of the two, and the doubt stays visible here.
   */
  readonly ambiguous: boolean;
};

const PRECISIONS = [
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
] as const satisfies readonly TimestampPrecision[];

// YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]; the fraction is only allowed after seconds.
const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d+))?)?)?)?)?)?([+-]\d{4})?$/;

type LocalFields = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
};

/** The fields read as if they were UTC, in ms (NaN when they name no date and time). */
const utcMillis = (f: LocalFields): number => calendarInstant(f)?.getTime() ?? Number.NaN;

// Building an Intl formatter costs far more than using one; this memo holds one per zone name and nothing else.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone name Intl does not know: that is a configuration bug, not bad input. */
function formatterFor(zone: string): Intl.DateTimeFormat {
  const cached = formatters.get(zone);
  if (cached !== undefined) return cached;
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  formatters.set(zone, formatter);
  return formatter;
}

/** The zone's offset from UTC at an instant, in ms (BST gives +3 600 000). Whole seconds: sub-second offsets never existed. */
function offsetAt(instant: number, zone: string): number {
  const parts = formatterFor(zone).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((candidate) => candidate.type === type)?.value ?? Number.NaN);
  const wallClock = utcMillis({
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
    millisecond: 0,
  });
  const instantSeconds = Math.floor(instant / 1000) * 1000;
  return wallClock - instantSeconds;
}

/**
 * The instant a wall-clock time names in a zone. Around a transition the zone's offset on either
 * side is tried: two that fit mean the repeated autumn hour (the earlier is taken, as java.time and
 * Temporal do); none that fits means the skipped spring hour, read with the offset from before the
 * change (01:30 on the day BST starts is 01:30 GMT, i.e. 02:30 BST), again as java.time and Temporal do.
 */
function instantOfLocal(f: LocalFields, zone: string): { readonly instant: number; readonly ambiguous: boolean } {
  const asUtc = utcMillis(f);
  // The offsets in force a day either side bracket any transition near this wall-clock time.
  const before = offsetAt(asUtc - 86_400_000, zone);
  const after = offsetAt(asUtc + 86_400_000, zone);
  const fits = [...new Set([before, after])]
    .map((offset) => asUtc - offset)
    .filter((candidate) => offsetAt(candidate, zone) === asUtc - candidate)
    .sort((a, b) => a - b);
  const [earliest] = fits;
  if (earliest !== undefined) return { instant: earliest, ambiguous: fits.length > 1 };
  return { instant: asUtc - before, ambiguous: false };
}

/** Reads an HL7 DTM/TS with its precision and whether its local reading was ambiguous. */
export function readHl7Timestamp(ts: string, zone: string = UK_ZONE): Result<Hl7Timestamp, InvalidTimestamp> {
  const match = DTM.exec(ts.trim());
  if (match === null) return err({ kind: 'invalid-timestamp' });
  const [, year = '', month, day, hour, minute, second, fraction, offset] = match;
  const fields: LocalFields = {
    year: Number(year),
    month: Number(month ?? 1),
    day: Number(day ?? 1),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    // Beyond milliseconds a Date cannot hold the value; extra digits are cut, never rounded up into the next second.
    millisecond: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  };
  if (fields.year < 1 || calendarInstant(fields) === undefined) return err({ kind: 'invalid-timestamp' });
  const sent = [month, day, hour, minute, second].filter((value) => value !== undefined).length;
  const precision: TimestampPrecision = fraction !== undefined ? 'fraction' : (PRECISIONS[sent] ?? 'second');

  if (offset !== undefined) {
    const sign = offset.startsWith('-') ? -1 : 1;
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMinutes = Number(offset.slice(3, 5));
    if (offsetHours > 14 || offsetMinutes > 59) return err({ kind: 'invalid-timestamp' });
    const offsetMillis = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
    return ok({ instant: new Date(utcMillis(fields) - offsetMillis), precision, hadOffset: true, ambiguous: false });
  }
  const local = instantOfLocal(fields, zone);
  return ok({ instant: new Date(local.instant), precision, hadOffset: false, ambiguous: local.ambiguous });
}

/**
 * An HL7 DTM/TS `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]` as an instant. With an offset the offset
 * is used; without one the time is local time in `zone`. See `readHl7Timestamp` for the precision
 * and the autumn-hour ambiguity.
 */
export function parseHl7Timestamp(ts: string, zone: string = UK_ZONE): Result<Date, InvalidTimestamp> {
  const read = readHl7Timestamp(ts, zone);
  return read.ok ? ok(read.value.instant) : read;
}
