/**
 * A segment occurrence with its place in the message, and the readers the mappers use on it:
 * text, required text and timestamps, each failure a Rejection naming the position
 * (`PV1-45`, `DG1[2]-3`). Pure.
 */
import { parseHl7Timestamp, UK_ZONE } from '../../core/clinicalTime.js';
import { err, ok, type Result } from '../../core/result.js';
import { checkInstant, describeViolation } from '../../core/valueDomain.js';
import type { Rejection } from '../rejection.js';
import { componentOf, fieldOf, type Hl7Message, type Hl7Segment, segmentsNamed } from './hl7Message.js';

/** `segment` is undefined when the message has no such occurrence: every reader then reads ''. */
export type LocatedSegment = {
  readonly id: string;
  /** 1-based occurrence of this segment id in the message. */
  readonly occurrence: number;
  readonly segment: Hl7Segment | undefined;
};

/**
 * The zone a timestamp without an offset is read in. Every sender here is a UK system; a sender
 * elsewhere would need its zone configured per sender.
 */
const SENDER_ZONE = UK_ZONE;

/** Every occurrence of a segment id, in message order. */
export function locateAll(message: Hl7Message, id: string): readonly LocatedSegment[] {
  return segmentsNamed(message, id).map((segment, index) => ({ id, occurrence: index + 1, segment }));
}

/** The first occurrence of a segment id (its `segment` undefined when absent). */
export function locateFirst(message: Hl7Message, id: string): LocatedSegment {
  return { id, occurrence: 1, segment: segmentsNamed(message, id)[0] };
}

/** `PV1-45` for a first occurrence, `DG1[2]-3` for a later one: the form `parseHl7Path` reads. */
export function positionOf(at: LocatedSegment, field: number, component?: number): string {
  const occurrence = at.occurrence > 1 ? `[${at.occurrence}]` : '';
  return `${at.id}${occurrence}-${field}${component === undefined ? '' : `.${component}`}`;
}

/**
 * One leaf (first repetition unless told), without the spaces (U+0020) padding either end;
 * null when empty. Senders pad fixed-width fields with blanks, and an identifier must match
 * whether it was padded or not, so those spaces are documented as not part of the value
 * (producers/hl7v2/MAPPING.md). Nothing else is cut: a CR or VT from `\X0D\`, a TAB, a
 * no-break space at either end stays, for the value domain to judge. HL7's `""` ("delete the
 * stored value") also reads as null: an event states what the source sent, and "nothing" is
 * how it says that.
 */
export function textAt(
  at: LocatedSegment,
  field: number,
  component = 1,
  position: { readonly repetition?: number; readonly subcomponent?: number } = {},
): string | null {
  const value = withoutPaddingSpaces(componentOf(fieldOf(at.segment, field), component, position));
  return value === '' || value === '""' ? null : value;
}

/** A leaf the mapping cannot do without: absent gives `required-field-missing` at its position. */
export function requiredTextAt(
  at: LocatedSegment,
  field: number,
  component: number,
  what: string,
): Result<string, Rejection> {
  const value = textAt(at, field, component);
  if (value !== null) return ok(value);
  return err({
    kind: 'required-field-missing',
    location: positionOf(at, field),
    reason: `${positionOf(at, field, component)} (${what}) is required and was not sent`,
  });
}

/** A TS/DTM leaf (component 1 unless told): null when not sent, `invalid-value` when it is not a timestamp. */
export function timeAt(at: LocatedSegment, field: number, component = 1): Result<Date | null, Rejection> {
  const value = textAt(at, field, component);
  if (value === null) return ok(null);
  const parsed = parseHl7Timestamp(value, SENDER_ZONE);
  const position = positionOf(at, field, component === 1 ? undefined : component);
  if (parsed.ok) {
    // A real instant outside the clinical window (year 0001, 9999) is refused here, where its position is known.
    const inWindow = checkInstant(parsed.value, { field: position, location: position });
    if (inWindow.ok) return inWindow;
    return err({ kind: 'invalid-value', location: positionOf(at, field), reason: describeViolation(inWindow.error) });
  }
  return err({
    kind: 'invalid-value',
    location: positionOf(at, field),
    reason: `${position} is not an HL7 timestamp (YYYY[MM[DD[HHMM[SS[.S]]]]][+/-ZZZZ])`,
  });
}

/** A timestamp position: a segment occurrence, a field, and the component when it is not 1. */
export type TimePosition = readonly [at: LocatedSegment, field: number, component?: number];

/**
 * The first of several timestamp positions that was sent, in the order given; null when none
 * was. A sent but malformed one is a rejection, never skipped for the next.
 */
export function firstTimeOf(candidates: readonly TimePosition[]): Result<Date | null, Rejection> {
  for (const [at, field, component] of candidates) {
    const time = timeAt(at, field, component);
    if (!time.ok || time.value !== null) return time;
  }
  return ok(null);
}

/** `firstTimeOf` for a time the event cannot do without: none sent gives `required-field-missing` at the last position. */
export function requiredFirstTimeOf(candidates: readonly TimePosition[], what: string): Result<Date, Rejection> {
  const time = firstTimeOf(candidates);
  if (!time.ok) return time;
  if (time.value !== null) return ok(time.value);
  const names = candidates.map(([at, field, component]) => positionOf(at, field, component));
  const last = candidates.at(-1);
  return err({
    kind: 'required-field-missing',
    location: last === undefined ? '' : positionOf(last[0], last[1]),
    reason: `${what}: none of ${names.join(', ')} was sent`,
  });
}

/** When the event the message reports happened: EVN-6 (event occurred), else EVN-2 (recorded), else MSH-7. */
export function reportedEventTime(message: Hl7Message): Result<Date, Rejection> {
  const evn = locateFirst(message, 'EVN');
  return requiredFirstTimeOf(
    [
      [evn, 6],
      [evn, 2],
      [locateFirst(message, 'MSH'), 7],
    ],
    'the time of the event',
  );
}

const PADDING_SPACES = /^ +| +$/g;
const withoutPaddingSpaces = (value: string): string => value.replace(PADDING_SPACES, '');
