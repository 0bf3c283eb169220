/**
 * Given-when-then for a view's pure fold: given events, when events, then rows. Each spec is
 * also run with the when-events delivered twice and with the whole list in reverse order, and
 * the state after the given-events goes through a JSON round trip (as it does through jsonb);
 * every run must show the same rows. `then` names only the fields it checks (like
 * `toMatchObject`), but lists must have exactly the rows named, in the rows' order.
 */
import { expect } from 'vitest';
import { foldEvents, type Projection } from '../../projections/projection.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';

/** The rows a spec expects: any subset of the fields, at any depth; lists in full. */
export type ExpectedRows<T> = T extends readonly (infer U)[]
  ? readonly ExpectedRows<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: ExpectedRows<T[K]> }
    : T;

/** Where `value` is not plain JSON (a Date, undefined, a class instance…); null when it is. */
function notPlainJson(value: unknown, path: string): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    return value.reduce<string | null>((found, item, i) => found ?? notPlainJson(item, `${path}[${i}]`), null);
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    // Own keys only, read by descriptor, so an id such as `__proto__` is checked like any other.
    return Object.keys(value).reduce<string | null>(
      (found, key) => found ?? notPlainJson(Object.getOwnPropertyDescriptor(value, key)?.value, `${path}.${key}`),
      null,
    );
  }
  return path;
}

/** The state as it comes back from jsonb; fails when the state is not plain JSON. */
export function throughJson<S>(state: S): S {
  expect(notPlainJson(state, 'state'), 'the state must be plain JSON').toBeNull();
  return JSON.parse(JSON.stringify(state)) as S;
}

function nhsNumberOf(events: readonly ClinicalEvent[]): string {
  const numbers = new Set(events.map((e) => e.patient.nhsNumber));
  if (numbers.size > 1) throw new Error('a projection spec is about one patient; the events name several');
  return [...numbers][0] ?? '9990000018';
}

export function projectionSpec<State, Rows>(view: Projection<State, Rows>) {
  return {
    given: (given: readonly ClinicalEvent[]) => ({
      when: (when: readonly ClinicalEvent[]) => ({
        // biome-ignore lint/suspicious/noThenProperty: given-when-then is the house spec form; the object is never awaited.
        then: (expected: ExpectedRows<Rows>): void => {
          const nhsNumber = nhsNumberOf([...given, ...when]);
          const afterGiven = throughJson(foldEvents(view, given));
          const once = foldEvents({ ...view, initialState: afterGiven }, when);
          const rows = view.rows(nhsNumber, throughJson(once));
          expect(rows).toMatchObject(expected as object);

          const twice = foldEvents({ ...view, initialState: once }, when);
          expect(view.rows(nhsNumber, twice), 'the when-events delivered twice').toEqual(rows);

          const reversed = foldEvents(view, [...given, ...when].reverse());
          expect(view.rows(nhsNumber, reversed), 'every event in reverse order').toEqual(rows);
        },
      }),
    }),
  };
}
