/** Loads and saves GP-view states (one jsonb per patient). I/O. */
import { jsonStateStore } from '../../consumers/jsonStateStore.js';
import type { ViewStore } from '../../consumers/liveView.js';
import type { GpState } from './evolve.js';
import { type GpViewTables, gpViewTables } from './tables.js';

export function gpViewStore(tables: GpViewTables = gpViewTables): ViewStore<GpState> {
  return jsonStateStore<GpState>(tables.state);
}
