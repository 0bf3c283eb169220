/**
 * Folds canonical medication events into one patient's pharmacy-view state: per order id the
 * latest order and its earliest end (cancel or discontinue), kept even when the end arrives
 * first, so a late order is born ended. Order-independent and idempotent. Pure: no I/O, no clock.
 */
import { assertNever } from '../../core/result.js';
import type {
  ClinicalEvent,
  Medication,
  MedicationOrderCancelled,
  MedicationOrderDiscontinued,
} from '../../schemas/generated/events.js';
import { entryOf, type Keyed, withEntry } from '../keyedState.js';
import { type ClinicalStamp, earlierOf, laterInstant, laterOf, stampOf, withEventId } from '../orderIndependence.js';
import { plainMedication } from '../plainMedication.js';

export type OrderedFact = ClinicalStamp & { readonly medication: Medication; readonly prescriber: string | null };

export type EndFact = ClinicalStamp & {
  /** cancelled: never given; discontinued: stopped after it started (DOMAIN §5.2). */
  readonly status: 'cancelled' | 'discontinued';
  readonly reason: string | null;
  readonly medication: Medication | null;
  readonly prescriber: string | null;
};

export type PharmacyOrderState = {
  /** The latest MedicationOrdered for the order id; null while only its end is known. */
  readonly order: OrderedFact | null;
  /** The earliest cancel or discontinue: the first terminal event decides how the order ended. */
  readonly end: EndFact | null;
  readonly eventIds: readonly string[];
  /** The latest recordedAt among the order's events: the changes feed's cursor. */
  readonly lastEventAt: string | null;
};

export type PharmacyState = { readonly orders: Keyed<PharmacyOrderState> };

export const pharmacyInitialState: PharmacyState = { orders: {} };

const noOrder: PharmacyOrderState = { order: null, end: null, eventIds: [], lastEventAt: null };

function endFact(event: MedicationOrderCancelled | MedicationOrderDiscontinued): EndFact {
  return {
    ...stampOf(event),
    status: event.type === 'MedicationOrderCancelled' ? 'cancelled' : 'discontinued',
    reason: event.reason,
    medication: event.medication === null ? null : plainMedication(event.medication),
    prescriber: event.prescriber,
  };
}

function withOrderEvent(
  state: PharmacyState,
  event: ClinicalEvent & { readonly orderId: string },
  change: (prior: PharmacyOrderState) => Partial<PharmacyOrderState>,
): PharmacyState {
  const prior = entryOf(state.orders, event.orderId) ?? noOrder;
  const next: PharmacyOrderState = {
    ...prior,
    ...change(prior),
    eventIds: withEventId(prior.eventIds, event.eventId),
    lastEventAt: laterInstant(prior.lastEventAt, event.recordedAt.toISOString()),
  };
  return { orders: withEntry(state.orders, event.orderId, next) };
}

export function evolvePharmacyView(state: PharmacyState, event: ClinicalEvent): PharmacyState {
  switch (event.type) {
    case 'MedicationOrdered': {
      const fact = { ...stampOf(event), medication: plainMedication(event.medication), prescriber: event.prescriber };
      return withOrderEvent(state, event, (prior) => ({ order: laterOf(prior.order, fact) }));
    }
    case 'MedicationOrderCancelled':
    case 'MedicationOrderDiscontinued':
      return withOrderEvent(state, event, (prior) => ({ end: earlierOf(prior.end, endFact(event)) }));
    case 'PatientDischarged':
    case 'DischargeCancelled':
    case 'DiagnosisRecorded':
    case 'DiagnosisAmended':
    case 'DiagnosisRetracted':
      return state;
    default:
      return assertNever(event, 'event type');
  }
}
