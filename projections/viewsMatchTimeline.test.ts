/**
 * The acceptance test of the three views: every canonical event of the samples' timeline,
 * folded per patient, gives the rows test/samples/timeline/expected-views.json lists. Lists are
 * compared as sets, on the fields the expected file names, with instants compared as instants.
 * The timeline's events in any arrival order, any of them twice, give the same rows.
 */
import { test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { arbArrival } from '../test/support/arbPatientEvents.js';
import { expectedViews, timelineEvents } from '../test/support/timelineEvents.js';
import { carePlanView } from './care-plan-view/carePlanView.js';
import { gpView } from './gp-view/gpView.js';
import { pharmacyView } from './pharmacy-view/pharmacyView.js';
import { foldEvents, type Projection } from './projection.js';

const events = timelineEvents();
const expected = expectedViews();

function groupBy(list: readonly ClinicalEvent[], key: (e: ClinicalEvent) => string) {
  const groups = new Map<string, ClinicalEvent[]>();
  for (const e of list) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  return groups as ReadonlyMap<string, readonly ClinicalEvent[]>;
}

const eventsByPatient = groupBy(events, (e) => e.patient.nhsNumber);
const patients = [...eventsByPatient.keys()].sort();

function rowsOf<State, Rows>(view: Projection<State, Rows>, nhsNumber: string, arrival?: readonly ClinicalEvent[]) {
  return view.rows(nhsNumber, foldEvents(view, arrival ?? eventsByPatient.get(nhsNumber) ?? []));
}

type Row = Readonly<Record<string, unknown>>;

/** Instants as `toISOString` writes them, so `…T14:30:00Z` and `…T14:30:00.000Z` compare equal. */
const asInstants = (row: Row): Row =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) =>
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) ? [k, new Date(v).toISOString()] : [k, v],
    ),
  );

/** Compares two lists as sets: each sorted by its identity, then row by row on the expected fields. */
function expectSameRows(actual: readonly Row[], wanted: readonly Row[], identity: readonly string[]): void {
  const key = (row: Row) => identity.map((f) => String(row[f])).join('|');
  const sorted = (rows: readonly Row[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  expect(sorted(actual)).toMatchObject(sorted(wanted.map(asInstants)));
}

test('the timeline holds the canonical events its counts name', () => {
  expect(events).toHaveLength(expected.counts.canonicalEvents);
  const byType = Object.fromEntries([...groupBy(events, (e) => e.type)].map(([type, ofType]) => [type, ofType.length]));
  expect(byType).toEqual(expected.counts.eventsByType);
  expect(patients).toEqual(Object.keys(expected.patients).sort());
});

describe('GP view', () => {
  test.each(patients)('patient %s', (nhsNumber) => {
    const rows = rowsOf(gpView, nhsNumber);
    const gp = expected.patients[nhsNumber]?.gp;
    expect(gp).not.toBeUndefined();
    expectSameRows(rows.discharges, gp?.discharges ?? [], ['visitId']);
    expectSameRows(rows.activeProblems, gp?.activeProblems ?? [], ['diagnosisId']);
    expectSameRows(rows.currentMedications, gp?.currentMedications ?? [], ['orderId']);
  });
});

test('pharmacy view: the active orders across patients', () => {
  const active = patients.flatMap((p) => rowsOf(pharmacyView, p).orders.filter((o) => o.status === 'active'));
  expectSameRows(active, expected.pharmacy.activeOrders, ['nhsNumber', 'orderId']);
});

test('care-plan view: the tasks across patients', () => {
  const tasks = patients.flatMap((p) => rowsOf(carePlanView, p).tasks);
  expectSameRows(tasks, expected.carePlan.tasks, ['nhsNumber', 'kind', 'causeId']);
});

describe.each([
  { view: gpView as Projection<unknown, unknown> },
  { view: pharmacyView as Projection<unknown, unknown> },
  { view: carePlanView as Projection<unknown, unknown> },
])('$view.name', ({ view }) => {
  describe.each(patients)('patient %s', (nhsNumber) => {
    const inOrder = eventsByPatient.get(nhsNumber) ?? [];
    propTest.prop([arbArrival(inOrder)], { numRuns: 50 })(
      'the timeline in any arrival order, with repeats, gives the same rows',
      (arrival) => {
        expect(rowsOf(view, nhsNumber, arrival)).toEqual(rowsOf(view, nhsNumber));
      },
    );
  });
});
