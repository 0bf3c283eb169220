/** The pharmacy view: every medication order per patient and how it stands. Pure. */
import type { Projection } from '../projection.js';
import { evolvePharmacyView, type PharmacyState, pharmacyInitialState } from './evolve.js';
import { type PharmacyRows, pharmacyRows } from './rows.js';

export const pharmacyView: Projection<PharmacyState, PharmacyRows> = {
  name: 'pharmacy-view',
  initialState: pharmacyInitialState,
  evolve: evolvePharmacyView,
  rows: pharmacyRows,
  reads: ['MedicationOrdered', 'MedicationOrderCancelled', 'MedicationOrderDiscontinued'],
};
