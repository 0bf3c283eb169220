/**
 * Saves pharmacy-view states and rewrites the touched patients' order rows; a row's
 * `changed_partition/offset` moves only when the row changed, so the feed sees real changes. I/O.
 */
import { jsonStateStore, replacePatientRows } from '../jsonStateStore.js';
import type { ViewStore } from '../liveView.js';
import type { PharmacyState } from './evolve.js';
import { pharmacyRows } from './rows.js';
import { type PharmacyViewTables, pharmacyViewTables } from './tables.js';

export function pharmacyViewStore(tables: PharmacyViewTables = pharmacyViewTables): ViewStore<PharmacyState> {
  return jsonStateStore<PharmacyState>(tables.state, async (tx, changed) => {
    const rows = [...changed].flatMap(([nhsNumber, { state, position }]) =>
      pharmacyRows(nhsNumber, state).orders.map((order) => ({
        nhsNumber,
        id: order.orderId,
        extras: [order.status],
        data: order,
        position,
      })),
    );
    await replacePatientRows(tx, {
      table: tables.orders,
      idColumn: 'order_id',
      extraColumns: [{ name: 'status', type: 'text' }],
      rows,
      patients: [...changed.keys()],
      trackChanges: true,
    });
  });
}
