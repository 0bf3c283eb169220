/** A view as the consumer runner drives it: its pure projection and the SQL that loads and saves its state. */
import type { Tx } from '../platform/postgres.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import type { LogPosition, Projection } from './projection.js';

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
  /**
   * What the fold depends on besides the code, e.g. `ltc-list:<id>` for the care-plan view:
   * recorded with the view, and a consumer started with another warns that it needs a rebuild.
   */
  readonly foldVersion?: string;
};

/**
 * A record as a log index sees it: its position, the decoded record (a clinical event on the
 * canonical topic; another topic's record type for an index over that topic) and the bytes as on the log.
 */
export type IndexedRecord<Decoded = ClinicalEvent> = {
  readonly offset: bigint;
  readonly event: Decoded;
  readonly value: Buffer;
};

/**
 * A consumer of the log that indexes every record by its position (the audit index) rather
 * than folding events by id: a duplicate record on the log is a second record to index.
 * `index` must be idempotent per (topic, partition, offset).
 */
export type LogIndex<Decoded = ClinicalEvent> = {
  readonly name: string;
  readonly kind: 'log-index';
  /** Indexes the batch's records (in offset order); returns how many were new. */
  index(tx: Tx, topic: string, partition: number, records: readonly IndexedRecord<Decoded>[]): Promise<number>;
};
