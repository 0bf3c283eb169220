/**
 * What a view is, in its pure part: per patient, an initial state and an `evolve` that folds
 * one canonical event into it, plus `rows` that turn the state into what the view's tables
 * (and the API) show. The same fold serves the live view, a rebuild and an as-of read.
 * States are plain JSON (instants as ISO strings) so they persist as jsonb. Pure.
 */
import type { ClinicalEvent, ClinicalEventType } from '../schemas/generated/events.js';

/** Where an event sits in the log; the fold may use it to break ties deterministically. */
export type LogPosition = { readonly partition: number; readonly offset: string };

export type Projection<State, Rows> = {
  /** The view's name: its consumer group, table prefix and API name (`gp-view`). */
  readonly name: string;
  readonly initialState: State;
  /**
   * Folds one event into one patient's state. Must be total and must not depend on arrival
   * order (a cancel can come before its order): applying the same set of events in any order,
   * or any event twice, gives the same rows.
   */
  readonly evolve: (state: State, event: ClinicalEvent) => State;
  /** The rows the state shows: what the tables hold and the API returns. */
  readonly rows: (nhsNumber: string, state: State) => Rows;
  /** The event types this view reads; the others it ignores by name. */
  readonly reads: readonly ClinicalEventType[];
};

/** Folds a patient's events from the initial state. */
export function foldEvents<State>(
  projection: Pick<Projection<State, unknown>, 'initialState' | 'evolve'>,
  events: readonly ClinicalEvent[],
): State {
  return events.reduce(projection.evolve, projection.initialState);
}
