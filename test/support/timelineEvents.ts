/**
 * Every canonical event of the samples' timeline, as full events: for each delivery that adds
 * to the log (not a duplicate, not rejected), the expected events of its input, plus the
 * events a parked input yields once released. recordedAt is the delivery's `at`; the eventId
 * is derived from the input and the event's place in its expected file. Also the views the
 * timeline must end in (test/samples/timeline/expected-views.json).
 */
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { eventFromNeutral } from './eventFromNeutral.js';
import { type ExpectedOutcome, SAMPLES_DIR } from './samples.js';

export type TimelineLine = {
  readonly seq: number;
  readonly at: string;
  readonly file: string;
  readonly outcome: ExpectedOutcome['outcome'];
};

type ExpectedRow = Readonly<Record<string, string | null>>;

export type ExpectedViews = {
  readonly patients: Readonly<
    Record<
      string,
      {
        readonly gp: {
          readonly discharges: readonly ExpectedRow[];
          readonly activeProblems: readonly ExpectedRow[];
          readonly currentMedications: readonly ExpectedRow[];
        };
      }
    >
  >;
  readonly pharmacy: { readonly activeOrders: readonly ExpectedRow[] };
  readonly carePlan: { readonly tasks: readonly ExpectedRow[] };
  readonly counts: { readonly canonicalEvents: number; readonly eventsByType: Readonly<Record<string, number>> };
};

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(SAMPLES_DIR, path), 'utf8'));

export function timelineLines(): readonly TimelineLine[] {
  return readFileSync(join(SAMPLES_DIR, 'timeline/timeline.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TimelineLine);
}

export function timelineEvents(): readonly ClinicalEvent[] {
  return timelineLines()
    .filter((line) => line.outcome !== 'duplicate' && line.outcome !== 'rejected')
    .flatMap((line) => {
      const base = basename(line.file, extname(line.file));
      const expected = readJson(`expected/${base}.json`) as ExpectedOutcome;
      const recordedAt = new Date(line.at);
      return [
        ...expected.events.map((n, i) => eventFromNeutral(n, { dedupKey: `samples|${line.file}|${i}`, recordedAt })),
        ...(expected.eventsWhenResolved ?? []).map((n, i) =>
          eventFromNeutral(n, { dedupKey: `samples|${line.file}|resolved#${i}`, recordedAt }),
        ),
      ];
    });
}

export function expectedViews(): ExpectedViews {
  return readJson('timeline/expected-views.json') as ExpectedViews;
}
