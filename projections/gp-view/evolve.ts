/**
 * Folds canonical clinical events into one patient's GP-view state: per visit the latest
 * discharge and the latest cancellation, per diagnosis the latest version, per order the
 * latest order and whether it has ended. Every merge is order-independent and idempotent
 * (`../orderIndependence.ts`). Pure: no I/O, no clock.
 */
import { assertNever } from '../../core/result.js';
import type {
  ClinicalEvent,
  ClinicalStatus,
  CodeSystem,
  DiagnosisAmended,
  DiagnosisRecorded,
  Medication,
  PatientDischarged,
  VerificationStatus,
} from '../../schemas/generated/events.js';
import { entryOf, type Keyed, withEntry } from '../keyedState.js';
import {
  type ClinicalStamp,
  earlierInstant,
  laterInstant,
  laterOf,
  stampOf,
  withEventId,
} from '../orderIndependence.js';
import { plainMedication } from '../plainMedication.js';

export type DischargeFact = ClinicalStamp & {
  readonly admittedAt: string | null;
  readonly dischargedAt: string;
  readonly organisation: string | null;
  readonly dischargeMethod: string | null;
  readonly dischargeDestination: string | null;
  readonly responsibleClinician: string | null;
};

/** A visit's latest discharge and latest cancellation; either may arrive first. */
export type VisitState = { readonly discharge: DischargeFact | null; readonly cancel: ClinicalStamp | null };

export type RecordingFact = ClinicalStamp & {
  readonly kind: 'DiagnosisRecorded' | 'DiagnosisAmended';
  readonly code: string;
  readonly codeSystem: CodeSystem;
  readonly display: string | null;
  readonly verificationStatus: VerificationStatus | null;
  readonly clinicalStatus: ClinicalStatus | null;
  readonly encounterId: string | null;
};

export type DiagnosisFact = RecordingFact | (ClinicalStamp & { readonly kind: 'DiagnosisRetracted' });

export type DiagnosisState = {
  /** The event with the latest occurredAt: the diagnosis as now believed. */
  readonly current: DiagnosisFact;
  /** The earliest occurredAt of a Recorded or Amended event; null while only a retraction is known. */
  readonly since: string | null;
  readonly eventIds: readonly string[];
};

export type OrderFact = ClinicalStamp & {
  readonly medication: Medication;
  readonly prescriber: string | null;
  readonly startedAt: string;
};

export type OrderState = {
  /** The latest MedicationOrdered for the order id; null while only its end is known. */
  readonly order: OrderFact | null;
  /** A cancel or discontinue was seen: terminal, whichever arrived first. */
  readonly ended: boolean;
  readonly eventIds: readonly string[];
};

export type GpState = {
  readonly visits: Keyed<VisitState>;
  readonly diagnoses: Keyed<DiagnosisState>;
  readonly orders: Keyed<OrderState>;
  /** The latest recordedAt of any event applied; null before the first. */
  readonly lastUpdated: string | null;
};

export const gpInitialState: GpState = { visits: {}, diagnoses: {}, orders: {}, lastUpdated: null };

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function dischargeFact(event: PatientDischarged): DischargeFact {
  return {
    ...stampOf(event),
    admittedAt: iso(event.admittedAt),
    dischargedAt: event.dischargedAt.toISOString(),
    organisation: event.organisation,
    dischargeMethod: event.dischargeMethod,
    dischargeDestination: event.dischargeDestination,
    responsibleClinician: event.responsibleClinician,
  };
}

function recordingFact(event: DiagnosisRecorded | DiagnosisAmended): RecordingFact {
  return {
    ...stampOf(event),
    kind: event.type,
    code: event.code,
    codeSystem: event.codeSystem,
    display: event.display,
    verificationStatus: event.verificationStatus,
    clinicalStatus: event.clinicalStatus,
    encounterId: event.encounterId,
  };
}

const noVisit: VisitState = { discharge: null, cancel: null };
const noOrder: OrderState = { order: null, ended: false, eventIds: [] };

function withDiagnosis(state: GpState, diagnosisId: string, fact: DiagnosisFact): GpState {
  const prior = entryOf(state.diagnoses, diagnosisId);
  const next: DiagnosisState = {
    current: laterOf(prior?.current ?? null, fact),
    since: earlierInstant(prior?.since ?? null, fact.kind === 'DiagnosisRetracted' ? null : fact.occurredAt),
    eventIds: withEventId(prior?.eventIds ?? [], fact.eventId),
  };
  return { ...state, diagnoses: withEntry(state.diagnoses, diagnosisId, next) };
}

function withOrder(state: GpState, orderId: string, change: (prior: OrderState) => OrderState): GpState {
  const prior = entryOf(state.orders, orderId) ?? noOrder;
  return { ...state, orders: withEntry(state.orders, orderId, change(prior)) };
}

function applyEvent(state: GpState, event: ClinicalEvent): GpState {
  switch (event.type) {
    case 'PatientDischarged': {
      const prior = entryOf(state.visits, event.visitId) ?? noVisit;
      const next = { ...prior, discharge: laterOf(prior.discharge, dischargeFact(event)) };
      return { ...state, visits: withEntry(state.visits, event.visitId, next) };
    }
    case 'DischargeCancelled': {
      const prior = entryOf(state.visits, event.visitId) ?? noVisit;
      const next = { ...prior, cancel: laterOf(prior.cancel, stampOf(event)) };
      return { ...state, visits: withEntry(state.visits, event.visitId, next) };
    }
    case 'DiagnosisRecorded':
    case 'DiagnosisAmended':
      return withDiagnosis(state, event.diagnosisId, recordingFact(event));
    case 'DiagnosisRetracted':
      return withDiagnosis(state, event.diagnosisId, { ...stampOf(event), kind: 'DiagnosisRetracted' });
    case 'MedicationOrdered': {
      const fact: OrderFact = {
        ...stampOf(event),
        medication: plainMedication(event.medication),
        prescriber: event.prescriber,
        startedAt: (event.startAt ?? event.occurredAt).toISOString(),
      };
      return withOrder(state, event.orderId, (prior) => ({
        ...prior,
        order: laterOf(prior.order, fact),
        eventIds: withEventId(prior.eventIds, event.eventId),
      }));
    }
    case 'MedicationOrderCancelled':
    case 'MedicationOrderDiscontinued':
      return withOrder(state, event.orderId, (prior) => ({
        ...prior,
        ended: true,
        eventIds: withEventId(prior.eventIds, event.eventId),
      }));
    default:
      return assertNever(event, 'event type');
  }
}

export function evolveGpView(state: GpState, event: ClinicalEvent): GpState {
  const next = applyEvent(state, event);
  return { ...next, lastUpdated: laterInstant(state.lastUpdated, event.recordedAt.toISOString()) };
}
