/**
 * FHIR R4 `dateTime` and `instant` strings to instants, read strictly: a time needs seconds and
 * a zone (`Z` or `±hh:mm`). A partial date (`2026`, `2026-03`, `2026-03-14`) has no zone, so it
 * is read as the start of that period in Europe/London, as an HL7 time without an offset is;
 * its precision stays visible. Pure.
 */
import { calendarInstant, isCalendarDay } from '../../core/calendarInstant.js';
import { parseHl7Timestamp, UK_ZONE } from '../../core/clinicalTime.js';
import { err, ok, type Result } from '../../core/result.js';
import { checkInstant, describeViolation } from '../../core/valueDomain.js';
import type { Rejection } from '../rejection.js';

export type FhirDateTime = {
  readonly instant: Date;
  /** How much was sent: `year`, `month` and `day` are partial dates; `time` is a full time with a zone. */
  readonly precision: 'year' | 'month' | 'day' | 'time';
};

export type FhirDateTimeError =
  /** Not the shape of a FHIR dateTime at all, or a date or offset that cannot exist. */
  | 'malformed'
  /** A time of day without `Z` or an offset: R4 says the zone SHALL be given with a time. */
  | 'time-without-zone';

// YYYY[-MM[-DD[Thh:mm:ss[.fffffffff][Z|±hh:mm]]]]: the zone is optional here so that its absence can be named.
const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function parseFhirDateTime(value: string): Result<FhirDateTime, FhirDateTimeError> {
  const match = DATE_TIME.exec(value);
  if (match === null) return err('malformed');
  const [, yearText = '', monthText, dayText, hourText, minuteText, secondText, fraction, zone] = match;
  const year = Number(yearText);
  const month = Number(monthText ?? 1);
  const day = Number(dayText ?? 1);
  if (year < 1 || !isCalendarDay(year, month, day)) return err('malformed');
  if (hourText === undefined) {
    const local = parseHl7Timestamp(`${yearText}${monthText ?? ''}${dayText ?? ''}`, UK_ZONE);
    if (!local.ok) return err('malformed');
    const precision = dayText !== undefined ? 'day' : monthText !== undefined ? 'month' : 'year';
    return ok({ instant: local.value, precision });
  }
  if (zone === undefined) return err('time-without-zone');
  const hour = Number(hourText);
  const minute = Number(minuteText);
  // FHIR's pattern allows :60, but a Date cannot hold a leap second and reading it as the next
  // minute would change the value quietly: calendarInstant refuses it, as every channel does.
  const second = Number(secondText);
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return err('malformed');
  // Beyond milliseconds a Date cannot hold the value; extra digits are cut, never rounded up.
  const millisecond = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const instant = calendarInstant({ year, month, day, hour, minute, second, millisecond }, offsetMinutes);
  if (instant === undefined) return err('malformed');
  return ok({ instant, precision: 'time' });
}

/** The instant of an element the mapping turns into a time; a malformed value is an `invalid-value` at `location`. */
export function fhirInstantAt(value: string, location: string): Result<Date, Rejection> {
  const parsed = parseFhirDateTime(value);
  if (parsed.ok) {
    // A real instant outside the clinical window (year 0001, 9999) is refused here, where its element is known.
    const inWindow = checkInstant(parsed.value.instant, { field: location, location });
    return inWindow.ok ? inWindow : err({ kind: 'invalid-value', location, reason: describeViolation(inWindow.error) });
  }
  const why =
    parsed.error === 'time-without-zone'
      ? 'has a time without a zone (Z or ±hh:mm), which FHIR R4 requires'
      : 'is not a valid FHIR dateTime';
  return err({ kind: 'invalid-value', location, reason: `${location} ${why}` });
}

/** An optional element as an instant: null when absent. */
export function optionalFhirInstant(value: string | undefined, location: string): Result<Date | null, Rejection> {
  return value === undefined ? ok(null) : fhirInstantAt(value, location);
}

/**
 * A clinical time taken from the first of `candidates` that is present (`recordedDate`, else
 * `meta.lastUpdated`). None present is `required-field-missing` at the first one's location.
 */
export function firstFhirInstant(
  candidates: readonly { readonly value: string | undefined; readonly location: string }[],
  why: string,
): Result<Date, Rejection> {
  const present = candidates.find((candidate) => candidate.value !== undefined);
  if (present?.value !== undefined) return fhirInstantAt(present.value, present.location);
  const location = candidates[0]?.location ?? '';
  const fallbacks = candidates.slice(1).map((candidate) => `, else ${candidate.location}`);
  return err({
    kind: 'required-field-missing',
    location,
    reason: `${location}${fallbacks.join('')} is required: ${why}`,
  });
}

/** `Z` is 0; `±hh:mm` up to ±14:00, as the R4 regex allows. */
function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (minutes > 59 || hours > 14 || (hours === 14 && minutes > 0)) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
