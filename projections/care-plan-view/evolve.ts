/**
 * Folds canonical discharge and diagnosis events into one patient's care-plan state: per visit
 * the latest discharge and latest cancellation; per diagnosis its latest version (with whether
 * its code is on the LTC list) and the first confirmed LTC version, which fixes the review's due
 * date. The LTC list is fixed when the view is made, so changing it means a rebuild.
 * Order-independent and idempotent. Pure: no I/O, no clock.
 */
import { assertNever } from '../../core/result.js';
import type {
  ClinicalEvent,
  ClinicalStatus,
  CodeSystem,
  DiagnosisAmended,
  DiagnosisRecorded,
  PatientDischarged,
  VerificationStatus,
} from '../../schemas/generated/events.js';
import { entryOf, type Keyed, withEntry } from '../keyedState.js';
import { type ClinicalStamp, earlierOf, laterOf, stampOf } from '../orderIndependence.js';
import { hasLtcCode, type LtcCodes } from './ltcCodes.js';

export type DischargeFact = ClinicalStamp & {
  readonly dischargedAt: string;
  readonly dischargeMethod: string | null;
  readonly dischargeDestination: string | null;
  readonly encounterClass: string | null;
};

export type VisitState = { readonly discharge: DischargeFact | null; readonly cancel: ClinicalStamp | null };

export type DiagnosisFact = ClinicalStamp & {
  readonly kind: 'DiagnosisRecorded' | 'DiagnosisAmended' | 'DiagnosisRetracted';
  /** The code as sent; a retraction may carry none. */
  readonly code: string | null;
  readonly codeSystem: CodeSystem | null;
  readonly verificationStatus: VerificationStatus | null;
  readonly clinicalStatus: ClinicalStatus | null;
  /** The code, or one of the codings, is on the LTC list (always false for a retraction). */
  readonly ltc: boolean;
};

/** The first confirmed Recorded or Amended event with an LTC code: the review's cause. */
export type LtcCause = ClinicalStamp & { readonly code: string; readonly codeSystem: CodeSystem };

export type DiagnosisState = { readonly current: DiagnosisFact; readonly firstLtc: LtcCause | null };

export type CarePlanState = { readonly visits: Keyed<VisitState>; readonly diagnoses: Keyed<DiagnosisState> };

export const carePlanInitialState: CarePlanState = { visits: {}, diagnoses: {} };

const noVisit: VisitState = { discharge: null, cancel: null };

function dischargeFact(event: PatientDischarged): DischargeFact {
  return {
    ...stampOf(event),
    dischargedAt: event.dischargedAt.toISOString(),
    dischargeMethod: event.dischargeMethod,
    dischargeDestination: event.dischargeDestination,
    encounterClass: event.encounterClass,
  };
}

function withDiagnosis(state: CarePlanState, diagnosisId: string, fact: DiagnosisFact, cause: LtcCause | null) {
  const prior = entryOf(state.diagnoses, diagnosisId);
  const firstLtc = cause === null ? (prior?.firstLtc ?? null) : earlierOf(prior?.firstLtc ?? null, cause);
  const next: DiagnosisState = { current: laterOf(prior?.current ?? null, fact), firstLtc };
  return { ...state, diagnoses: withEntry(state.diagnoses, diagnosisId, next) };
}

function withRecording(ltc: LtcCodes, state: CarePlanState, event: DiagnosisRecorded | DiagnosisAmended) {
  const isLtc = hasLtcCode(ltc, event);
  const fact: DiagnosisFact = {
    ...stampOf(event),
    kind: event.type,
    code: event.code,
    codeSystem: event.codeSystem,
    verificationStatus: event.verificationStatus,
    clinicalStatus: event.clinicalStatus,
    ltc: isLtc,
  };
  // Only an explicitly confirmed diagnosis opens a review: provisional and unstated do not.
  const opensReview = isLtc && event.verificationStatus === 'CONFIRMED';
  const cause = opensReview ? { ...stampOf(event), code: event.code, codeSystem: event.codeSystem } : null;
  return withDiagnosis(state, event.diagnosisId, fact, cause);
}

/** The care-plan fold for one LTC list. */
export function createCarePlanEvolve(ltc: LtcCodes) {
  return function evolveCarePlanView(state: CarePlanState, event: ClinicalEvent): CarePlanState {
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
        return withRecording(ltc, state, event);
      case 'DiagnosisRetracted': {
        const fact: DiagnosisFact = {
          ...stampOf(event),
          kind: event.type,
          code: event.code,
          codeSystem: event.codeSystem,
          verificationStatus: 'ENTERED_IN_ERROR',
          clinicalStatus: null,
          ltc: false,
        };
        return withDiagnosis(state, event.diagnosisId, fact, null);
      }
      case 'MedicationOrdered':
      case 'MedicationOrderCancelled':
      case 'MedicationOrderDiscontinued':
        return state;
      default:
        return assertNever(event, 'event type');
    }
  };
}
