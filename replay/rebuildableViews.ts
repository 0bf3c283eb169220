/**
 * The views a rebuild can build a new version of: each one's live fold, its tables as named
 * in its tables.ts, and its store pointed at any set of tables with the same keys (a
 * version's shadow tables). Wiring only; no I/O of its own.
 */

import { createViewConsumer, type ViewConsumer, type ViewConsumerOptions } from '../consumers/runViewConsumer.js';
import { liveViews, type ViewName } from '../consumers/views.js';
import { carePlanViewStore } from '../projections/care-plan-view/persist.js';
import { carePlanViewTables } from '../projections/care-plan-view/tables.js';
import { gpViewStore } from '../projections/gp-view/persist.js';
import { gpViewTables } from '../projections/gp-view/tables.js';
import type { LiveView, ViewStore } from '../projections/liveView.js';
import { pharmacyViewStore } from '../projections/pharmacy-view/persist.js';
import { pharmacyViewTables } from '../projections/pharmacy-view/tables.js';

/** A view's tables by their key in its tables.ts, e.g. `{ state: 'gp_view_patients' }`. */
export type ViewTables = Readonly<Record<string, string>>;

export type RebuildableView = {
  readonly name: ViewName;
  /** The live tables, from tables.ts. */
  readonly tables: ViewTables;
  /** A consumer that folds the log into `tables` with the live fold, its progress stored under `progressName`. */
  consumer(
    progressName: string,
    tables: ViewTables,
    options: Omit<ViewConsumerOptions<unknown>, 'view' | 'decode'>,
  ): ViewConsumer;
};

function rebuildable<State, Tables extends ViewTables>(
  live: LiveView<State> & { readonly name: ViewName },
  tables: Tables,
  storeOver: (tables: Tables) => ViewStore<State>,
): RebuildableView {
  return {
    name: live.name,
    tables,
    consumer: (progressName, shadow, options) =>
      createViewConsumer<State>({
        ...options,
        // Same keys as `tables` by construction (shadowTablesOf maps each one).
        view: {
          name: progressName,
          projection: live.projection,
          store: storeOver(shadow as Tables),
          ...(live.foldVersion === undefined ? {} : { foldVersion: live.foldVersion }),
        },
      }),
  };
}

export const rebuildableViews: Readonly<Record<ViewName, RebuildableView>> = {
  'gp-view': rebuildable({ ...liveViews['gp-view'], name: 'gp-view' }, gpViewTables, gpViewStore),
  'pharmacy-view': rebuildable(
    { ...liveViews['pharmacy-view'], name: 'pharmacy-view' },
    pharmacyViewTables,
    pharmacyViewStore,
  ),
  'care-plan-view': rebuildable(
    { ...liveViews['care-plan-view'], name: 'care-plan-view' },
    carePlanViewTables,
    carePlanViewStore,
  ),
};

export const isRebuildableView = (name: string): name is ViewName => Object.hasOwn(rebuildableViews, name);
