/** Loads and saves GP-view states (one jsonb per patient). I/O. */
import { jsonStateStore } from '../jsonStateStore.js';
import type { ViewStore } from '../liveView.js';
import type { GpState } from './evolve.js';
import { type GpViewTables, gpViewTables } from './tables.js';

export function gpViewStore(tables: GpViewTables = gpViewTables): ViewStore<GpState> {
  return jsonStateStore<GpState>(tables.state);
}
