/** The live views this deployment runs, each with its projection and store. */
import { carePlanView } from '../projections/care-plan-view/carePlanView.js';
import type { CarePlanState } from '../projections/care-plan-view/evolve.js';
import { carePlanViewStore } from '../projections/care-plan-view/persist.js';
import type { GpState } from '../projections/gp-view/evolve.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { gpViewStore } from '../projections/gp-view/persist.js';
import type { PharmacyState } from '../projections/pharmacy-view/evolve.js';
import { pharmacyViewStore } from '../projections/pharmacy-view/persist.js';
import { pharmacyView } from '../projections/pharmacy-view/pharmacyView.js';
import type { LiveView } from './liveView.js';
import { type RunnableView, runnable } from './runViewConsumer.js';

const gp: LiveView<GpState> = { name: 'gp-view', projection: gpView, store: gpViewStore() };
const pharmacy: LiveView<PharmacyState> = {
  name: 'pharmacy-view',
  projection: pharmacyView,
  store: pharmacyViewStore(),
};
const carePlan: LiveView<CarePlanState> = {
  name: 'care-plan-view',
  projection: carePlanView,
  store: carePlanViewStore(),
};

export const liveViews = { 'gp-view': gp, 'pharmacy-view': pharmacy, 'care-plan-view': carePlan } as const;

export type ViewName = keyof typeof liveViews;

/** Every live view, as the runner starts them. */
export const runnableViews: readonly RunnableView[] = [runnable(gp), runnable(pharmacy), runnable(carePlan)];
export const viewNames = Object.keys(liveViews) as ViewName[];
