/** A view as the consumer runner drives it: its pure projection and the SQL that loads and saves its state. */
import type { Tx } from '../platform/postgres.js';
import type { LogPosition, Projection } from '../projections/projection.js';

export type ViewStore<State> = {
  /** The stored states of these patients (absent = never seen). */
  load(tx: Tx, nhsNumbers: readonly string[]): Promise<ReadonlyMap<string, State>>;
  /** Saves the new states (and the rows derived from them); `position` is the last event applied per patient. */
  save(tx: Tx, changed: ReadonlyMap<string, { readonly state: State; readonly position: LogPosition }>): Promise<void>;
};

export type LiveView<State> = {
  readonly projection: Projection<State, unknown>;
  readonly store: ViewStore<State>;
  /** The name its progress and processed events are stored under (a rebuild uses its own). */
  readonly name: string;
};
