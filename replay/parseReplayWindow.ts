/**
 * An analyst's replay window from its text form (CLI flags or query parameters): two instants,
 * the time they are read on, and the event kinds wanted. Reports every problem at once. Pure.
 */
import { calendarInstant } from '../core/calendarInstant.js';
import { err, ok, type Result } from '../core/result.js';
import { type ClinicalEventType, clinicalEventTypes } from '../schemas/generated/events.js';

/**
 * `record`: the Kafka record timestamp, i.e. the producer's CreateTime, when the adapter wrote
 * the event. `clinical`: the event's occurredAt, when it happened in care.
 */
export type TimeBasis = 'record' | 'clinical';
export const timeBases: readonly TimeBasis[] = ['record', 'clinical'];

export type ReplayWindow = {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
  readonly time: TimeBasis;
  /** The event types wanted, by Avro record name; undefined means every type. */
  readonly kinds: ReadonlySet<ClinicalEventType> | undefined;
};

export type WindowParameter = 'from' | 'to' | 'kinds' | 'time';

export type WindowProblem =
  | { readonly kind: 'missing-instant'; readonly parameter: 'from' | 'to' }
  | { readonly kind: 'bad-instant'; readonly parameter: 'from' | 'to'; readonly found: string }
  | { readonly kind: 'instant-before-log'; readonly parameter: 'from' | 'to' }
  | { readonly kind: 'empty-window' }
  | { readonly kind: 'window-too-long'; readonly maxDays: number }
  | { readonly kind: 'unknown-kind'; readonly found: string }
  | { readonly kind: 'no-kinds' }
  | { readonly kind: 'bad-time-basis'; readonly found: string };

export type WindowText = {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Comma-separated event types, e.g. `PatientDischarged,DiagnosisRecorded`. */
  readonly kinds?: string | undefined;
  readonly time?: string | undefined;
};

const DAY_MS = 24 * 60 * 60 * 1000;

// YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fraction]] with Z or ±HH:MM: an instant needs its zone.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2})))?$/;

/** An ISO 8601 instant with its zone, or a date alone meaning its midnight UTC; undefined when not one. */
export function parseInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text);
  if (m === null) return undefined;
  const field = (group: number) => Number(m[group] ?? 0);
  const year = field(1);
  const month = field(2);
  const day = field(3);
  const hour = field(4);
  const minute = field(5);
  const second = field(6);
  const millisecond = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = field(10);
  const offsetMinutes = field(11);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return calendarInstant({ year, month, day, hour, minute, second, millisecond }, offset);
}

const isEventType = (name: string): name is ClinicalEventType =>
  (clinicalEventTypes as readonly string[]).includes(name);

/**
 * The window the text describes: `from` and `to` required, `from` before `to`, kinds among the
 * clinical event types, time basis `record` (the default) or `clinical`. `maxDays` bounds the
 * window's length when given (the API's limit; the CLI has none).
 */
export function parseReplayWindow(
  text: WindowText,
  limits: { readonly maxDays?: number } = {},
): Result<ReplayWindow, readonly WindowProblem[]> {
  const problems: WindowProblem[] = [];
  const instant = (parameter: 'from' | 'to'): Date | undefined => {
    const raw = text[parameter]?.trim();
    if (raw === undefined || raw === '') {
      problems.push({ kind: 'missing-instant', parameter });
      return undefined;
    }
    const parsed = parseInstant(raw);
    if (parsed === undefined) problems.push({ kind: 'bad-instant', parameter, found: raw });
    // The broker looks a window up by record timestamp, which starts at the Unix epoch.
    else if (parsed.getTime() < 0) {
      problems.push({ kind: 'instant-before-log', parameter });
      return undefined;
    }
    return parsed;
  };
  const from = instant('from');
  const to = instant('to');
  if (from !== undefined && to !== undefined) {
    if (from.getTime() >= to.getTime()) problems.push({ kind: 'empty-window' });
    else if (limits.maxDays !== undefined && to.getTime() - from.getTime() > limits.maxDays * DAY_MS)
      problems.push({ kind: 'window-too-long', maxDays: limits.maxDays });
  }

  const time = (text.time ?? 'record').trim();
  if (!(timeBases as readonly string[]).includes(time)) problems.push({ kind: 'bad-time-basis', found: time });

  let kinds: Set<ClinicalEventType> | undefined;
  if (text.kinds !== undefined) {
    const names = text.kinds
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    if (names.length === 0) problems.push({ kind: 'no-kinds' });
    kinds = new Set();
    for (const name of names) {
      if (isEventType(name)) kinds.add(name);
      else problems.push({ kind: 'unknown-kind', found: name });
    }
  }

  if (problems.length > 0 || from === undefined || to === undefined) return err(problems);
  return ok({ from, to, time: time as TimeBasis, kinds });
}

const shown = (found: string) => JSON.stringify(found.length > 40 ? `${found.slice(0, 40)}…` : found);

/** One line naming the parameter and the expected form; no more of the input than 40 characters. */
export function describeWindowProblem(problem: WindowProblem): string {
  switch (problem.kind) {
    case 'missing-instant':
      return `${problem.parameter} is required: an ISO 8601 instant such as 2026-03-02T09:00:00Z`;
    case 'bad-instant':
      return `${problem.parameter} ${shown(problem.found)}: expected an ISO 8601 instant with its zone (2026-03-02T09:00:00Z, 2026-03-02T09:00+01:00) or a date (2026-03-02, midnight UTC)`;
    case 'instant-before-log':
      return `${problem.parameter} is before 1970-01-01T00:00:00Z, where the log's record times begin; start the window there or later`;
    case 'empty-window':
      return 'from must be before to: the window is [from, to)';
    case 'window-too-long':
      return `the window is longer than ${problem.maxDays} days; split it into several requests or use npm run replay -- export`;
    case 'unknown-kind':
      return `kinds: ${shown(problem.found)} is not an event type; expected some of ${clinicalEventTypes.join(', ')}`;
    case 'no-kinds':
      return 'kinds is empty: leave it out for every type, or name some';
    case 'bad-time-basis':
      return `time ${shown(problem.found)}: expected record (the Kafka record timestamp) or clinical (occurredAt)`;
  }
}

/** The parameter a problem is about, for the API's problem location. */
export function parameterOf(problem: WindowProblem): WindowParameter {
  switch (problem.kind) {
    case 'missing-instant':
    case 'bad-instant':
    case 'instant-before-log':
      return problem.parameter;
    case 'empty-window':
    case 'window-too-long':
      return 'to';
    case 'unknown-kind':
    case 'no-kinds':
      return 'kinds';
    case 'bad-time-basis':
      return 'time';
  }
}
