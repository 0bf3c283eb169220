/**
 * One patient's GP-view state as the rows the tables hold and the API returns: discharges,
 * active problems and current medications, each list in a fixed order. Shared by persist and
 * the as-of API. Pure.
 */
import type { ClinicalStatus, VerificationStatus } from '../../schemas/generated/events.js';
import { type CodeSystemLabel, codeSystemLabel } from '../codeSystemLabel.js';
import { byKeys } from '../rowOrder.js';
import type { DiagnosisState, GpState, OrderState, RecordingFact, VisitState } from './evolve.js';

export type GpDischargeRow = {
  readonly visitId: string;
  readonly admittedAt: string | null;
  readonly dischargedAt: string;
  readonly organisation: string | null;
  readonly dischargeMethod: string | null;
  readonly dischargeDestination: string | null;
  readonly responsibleClinician: string | null;
  readonly eventId: string;
};

export type GpProblemRow = {
  readonly diagnosisId: string;
  readonly code: string;
  readonly codeSystem: CodeSystemLabel;
  readonly display: string | null;
  /** FHIR condition-ver-status code (`confirmed`, `provisional`, …); null when not sent. */
  readonly verificationStatus: string | null;
  /** FHIR condition-clinical code (`active`, `recurrence`, …); null when not sent. */
  readonly clinicalStatus: string | null;
  readonly encounterId: string | null;
  /** The earliest occurredAt of the diagnosis's Recorded or Amended events. */
  readonly since: string;
  readonly eventIds: readonly string[];
};

export type GpMedicationRow = {
  readonly orderId: string;
  readonly code: string;
  readonly codeSystem: CodeSystemLabel;
  readonly display: string | null;
  readonly dose: string | null;
  readonly doseUnit: string | null;
  readonly route: string | null;
  readonly frequency: string | null;
  readonly prescriber: string | null;
  /** The order's startAt, else its occurredAt. */
  readonly startedAt: string;
  readonly eventIds: readonly string[];
};

export type GpRows = {
  readonly discharges: readonly GpDischargeRow[];
  readonly activeProblems: readonly GpProblemRow[];
  readonly currentMedications: readonly GpMedicationRow[];
  readonly lastUpdated: string | null;
};

/** Verification statuses that take a diagnosis off the active list. */
const notBelieved: ReadonlySet<VerificationStatus> = new Set(['ENTERED_IN_ERROR', 'REFUTED']);
/** Clinical statuses that take a diagnosis off the active list: it is over, not wrong. */
const noLongerActive: ReadonlySet<ClinicalStatus> = new Set(['INACTIVE', 'RESOLVED', 'REMISSION']);

/** The FHIR code of an enum symbol: `ENTERED_IN_ERROR` → `entered-in-error`. */
const fhirCode = (symbol: string | null): string | null =>
  symbol === null ? null : symbol.toLowerCase().replace(/_/g, '-');

/** A discharge stands unless a cancellation at the same time or later withdraws it (DOMAIN §5.6). */
function standingDischarge(visit: VisitState) {
  const { discharge, cancel } = visit;
  if (discharge === null) return null;
  return cancel === null || discharge.occurredAt > cancel.occurredAt ? discharge : null;
}

/** The current version of an active diagnosis, or null when it is retracted, refuted or over. */
function activeRecording(diagnosis: DiagnosisState): RecordingFact | null {
  const { current } = diagnosis;
  if (current.kind === 'DiagnosisRetracted') return null;
  if (current.verificationStatus !== null && notBelieved.has(current.verificationStatus)) return null;
  if (current.clinicalStatus !== null && noLongerActive.has(current.clinicalStatus)) return null;
  return current;
}

function dischargeRows(state: GpState): GpDischargeRow[] {
  return Object.entries(state.visits)
    .flatMap(([visitId, visit]) => {
      const d = standingDischarge(visit);
      if (d === null) return [];
      return [
        {
          visitId,
          admittedAt: d.admittedAt,
          dischargedAt: d.dischargedAt,
          organisation: d.organisation,
          dischargeMethod: d.dischargeMethod,
          dischargeDestination: d.dischargeDestination,
          responsibleClinician: d.responsibleClinician,
          eventId: d.eventId,
        },
      ];
    })
    .sort(
      byKeys(
        (r) => r.dischargedAt,
        (r) => r.visitId,
      ),
    );
}

function problemRows(state: GpState): GpProblemRow[] {
  return Object.entries(state.diagnoses)
    .flatMap(([diagnosisId, diagnosis]) => {
      const current = activeRecording(diagnosis);
      if (current === null || diagnosis.since === null) return [];
      return [
        {
          diagnosisId,
          code: current.code,
          codeSystem: codeSystemLabel(current.codeSystem),
          display: current.display,
          verificationStatus: fhirCode(current.verificationStatus),
          clinicalStatus: fhirCode(current.clinicalStatus),
          encounterId: current.encounterId,
          since: diagnosis.since,
          eventIds: diagnosis.eventIds,
        },
      ];
    })
    .sort(
      byKeys(
        (r) => r.since,
        (r) => r.diagnosisId,
      ),
    );
}

function medicationRow(orderId: string, state: OrderState): GpMedicationRow[] {
  if (state.order === null || state.ended) return [];
  const { medication: m } = state.order;
  return [
    {
      orderId,
      code: m.code,
      codeSystem: codeSystemLabel(m.codeSystem),
      display: m.display,
      dose: m.dose,
      doseUnit: m.doseUnit,
      route: m.route,
      frequency: m.frequency,
      prescriber: state.order.prescriber,
      startedAt: state.order.startedAt,
      eventIds: state.eventIds,
    },
  ];
}

export function gpRows(_nhsNumber: string, state: GpState): GpRows {
  return {
    discharges: dischargeRows(state),
    activeProblems: problemRows(state),
    currentMedications: Object.entries(state.orders)
      .flatMap(([orderId, order]) => medicationRow(orderId, order))
      .sort(
        byKeys(
          (r) => r.startedAt,
          (r) => r.orderId,
        ),
      ),
    lastUpdated: state.lastUpdated,
  };
}
