/** The GP view: what a patient's GP needs after hospital care, per patient. Pure. */
import { clinicalEventTypes } from '../../schemas/generated/events.js';
import type { Projection } from '../projection.js';
import { evolveGpView, type GpState, gpInitialState } from './evolve.js';
import { type GpRows, gpRows } from './rows.js';

export const gpView: Projection<GpState, GpRows> = {
  name: 'gp-view',
  initialState: gpInitialState,
  evolve: evolveGpView,
  rows: gpRows,
  reads: clinicalEventTypes,
};
