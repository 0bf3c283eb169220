/** The live views this deployment runs, each with its projection and store. */
import { createCarePlanView } from '../projections/care-plan-view/carePlanView.js';
import { configuredLtcCodes } from '../projections/care-plan-view/configuredLtcCodes.js';
import type { CarePlanState } from '../projections/care-plan-view/evolve.js';
import { ltcListId } from '../projections/care-plan-view/ltcCodes.js';
import { carePlanViewStore } from '../projections/care-plan-view/persist.js';
import type { GpState } from '../projections/gp-view/evolve.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { gpViewStore } from '../projections/gp-view/persist.js';
import type { LiveView } from '../projections/liveView.js';
import type { PharmacyState } from '../projections/pharmacy-view/evolve.js';
import { pharmacyViewStore } from '../projections/pharmacy-view/persist.js';
import { pharmacyView } from '../projections/pharmacy-view/pharmacyView.js';
import { type RunnableView, runnable } from './runViewConsumer.js';

const gp: LiveView<GpState> = { name: 'gp-view', projection: gpView, store: gpViewStore() };
const pharmacy: LiveView<PharmacyState> = {
  name: 'pharmacy-view',
  projection: pharmacyView,
  store: pharmacyViewStore(),
};
/** The LTC list the care-plan view folds with (LTC_CODES_FILE, else the built-in list); a new list needs a rebuild. */
export const ltcCodesInUse = configuredLtcCodes();
/** The care-plan fold with that list: the live view's, and the point-in-time views'. */
export const carePlanProjection = createCarePlanView(ltcCodesInUse.codes);
const carePlan: LiveView<CarePlanState> = {
  name: 'care-plan-view',
  projection: carePlanProjection,
  foldVersion: `ltc-list:${ltcListId(ltcCodesInUse.codes)}`,
  store: carePlanViewStore(),
};

export const liveViews = { 'gp-view': gp, 'pharmacy-view': pharmacy, 'care-plan-view': carePlan } as const;

export type ViewName = keyof typeof liveViews;

/** Every live view, as the runner starts them. */
export const runnableViews: readonly RunnableView[] = [runnable(gp), runnable(pharmacy), runnable(carePlan)];
export const viewNames = Object.keys(liveViews) as ViewName[];
