/** The care-plan view: review tasks opened by discharges and long-term conditions, per patient. Pure. */
import type { Projection } from '../projection.js';
import { type CarePlanState, carePlanInitialState, createCarePlanEvolve } from './evolve.js';
import { defaultLtcCodes, type LtcCodes } from './ltcCodes.js';
import { type CarePlanRows, carePlanRows } from './rows.js';

/** The care-plan view for one long-term-condition list; a different list needs a rebuild. */
export function createCarePlanView(ltc: LtcCodes): Projection<CarePlanState, CarePlanRows> {
  return {
    name: 'care-plan-view',
    initialState: carePlanInitialState,
    evolve: createCarePlanEvolve(ltc),
    rows: carePlanRows,
    reads: ['PatientDischarged', 'DischargeCancelled', 'DiagnosisRecorded', 'DiagnosisAmended', 'DiagnosisRetracted'],
  };
}

export const carePlanView = createCarePlanView(defaultLtcCodes);
