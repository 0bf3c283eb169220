/**
 * The properties every view's fold must have, declared once: any arrival order and any
 * repeated delivery give the same rows; a jsonb round trip of the state between any two events
 * changes nothing; evolve never changes the state it is given; events the view does not read
 * leave the state alone.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { foldEvents, type Projection } from '../../projections/projection.js';
import { arbEventsInTwoArrivals, arbPatientEvents } from './arbPatientEvents.js';
import { PATIENT_A } from './eventBuilders.js';

export function describeFoldProperties<State, Rows>(view: Projection<State, Rows>): void {
  const rowsOf = (state: State) => view.rows(PATIENT_A, state);

  describe(`${view.name}: properties of the fold`, () => {
    test.prop([arbEventsInTwoArrivals()])(
      'any arrival order, with any event delivered again, gives the same rows',
      ([events, arrival]) => {
        expect(rowsOf(foldEvents(view, arrival))).toEqual(rowsOf(foldEvents(view, events)));
      },
    );

    test.prop([arbPatientEvents(), fc.nat()])(
      'a jsonb round trip of the state between any two events changes nothing',
      (events, cut) => {
        const at = events.length === 0 ? 0 : cut % (events.length + 1);
        const stored = JSON.parse(JSON.stringify(foldEvents(view, events.slice(0, at)))) as State;
        const resumed = foldEvents({ ...view, initialState: stored }, events.slice(at));
        expect(rowsOf(resumed)).toEqual(rowsOf(foldEvents(view, events)));
      },
    );

    test.prop([arbPatientEvents()])('evolve never changes the state it is given', (events) => {
      let state = view.initialState;
      for (const event of events) {
        const before = JSON.stringify(state);
        const next = view.evolve(state, event);
        expect(JSON.stringify(state)).toBe(before);
        state = next;
      }
    });

    test.prop([arbPatientEvents()])('an event the view does not read leaves the state as it was', (events) => {
      const state = foldEvents(view, events.slice(0, events.length / 2));
      for (const event of events.filter((e) => !view.reads.includes(e.type))) {
        expect(view.evolve(state, event)).toBe(state);
      }
    });
  });
}
