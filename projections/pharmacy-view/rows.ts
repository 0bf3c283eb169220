/**
 * One patient's pharmacy-view state as rows: every order seen, with its status, what was
 * ordered, and when it started and ended. Shared by persist and the as-of API. Pure.
 */
import { byKeys } from '../rowOrder.js';
import type { PharmacyOrderState, PharmacyState } from './evolve.js';

export type PharmacyOrderStatus = 'active' | 'cancelled' | 'discontinued';

export type PharmacyOrderRow = {
  readonly nhsNumber: string;
  readonly orderId: string;
  readonly status: PharmacyOrderStatus;
  readonly code: string | null;
  readonly display: string | null;
  readonly dose: string | null;
  readonly doseUnit: string | null;
  readonly route: string | null;
  readonly frequency: string | null;
  readonly prescriber: string | null;
  /** occurredAt of the order; null for an order known only through its cancel or discontinue. */
  readonly orderedAt: string | null;
  /** occurredAt of the first cancel or discontinue; null while active. */
  readonly endedAt: string | null;
  /** Why it ended, as sent (ORC-16, statusReason); null while active. */
  readonly reason: string | null;
  readonly eventIds: readonly string[];
  /** The latest recordedAt among the order's events. */
  readonly lastEventAt: string | null;
};

export type PharmacyRows = { readonly orders: readonly PharmacyOrderRow[] };

function orderRow(nhsNumber: string, orderId: string, state: PharmacyOrderState): PharmacyOrderRow {
  const { order, end } = state;
  // An order seen only through its end shows what the end message said about the medicine.
  const medication = order?.medication ?? end?.medication ?? null;
  return {
    nhsNumber,
    orderId,
    status: end?.status ?? 'active',
    code: medication?.code ?? null,
    display: medication?.display ?? null,
    dose: medication?.dose ?? null,
    doseUnit: medication?.doseUnit ?? null,
    route: medication?.route ?? null,
    frequency: medication?.frequency ?? null,
    prescriber: order?.prescriber ?? end?.prescriber ?? null,
    orderedAt: order?.occurredAt ?? null,
    endedAt: end?.occurredAt ?? null,
    reason: end?.reason ?? null,
    eventIds: state.eventIds,
    lastEventAt: state.lastEventAt,
  };
}

export function pharmacyRows(nhsNumber: string, state: PharmacyState): PharmacyRows {
  return {
    orders: Object.entries(state.orders)
      .map(([orderId, order]) => orderRow(nhsNumber, orderId, order))
      .sort(
        byKeys(
          (r) => r.orderedAt ?? r.endedAt ?? '',
          (r) => r.orderId,
        ),
      ),
  };
}
