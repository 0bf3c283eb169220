/**
 * Maps canonical events to the neutral form the samples' expected files use
 * (test/samples/README.md, "The expected-file format"), so tests compare our events with
 * the behaviour contract field by field.
 */
import type { ClinicalEvent, CodeSystem, Medication, VerificationStatus } from '../../schemas/generated/events.js';

export type NeutralEvent = Readonly<Record<string, string | null>>;

const instant = (d: Date | null): string | null => (d === null ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const codeSystem = (s: CodeSystem | null): string | null =>
  s === null ? null : ({ SNOMED_CT: 'SNOMED-CT', ICD_10: 'ICD-10', DMD: 'dm+d', UNKNOWN: 'unknown' } as const)[s];
const verification = (v: VerificationStatus | null): string | null =>
  v === null ? null : v.toLowerCase().replace(/_/g, '-');
const medication = (m: Medication | null) => ({
  code: m?.code ?? null,
  codeSystem: codeSystem(m?.codeSystem ?? null),
  display: m?.display ?? null,
  dose: m?.dose ?? null,
  doseUnit: m?.doseUnit ?? null,
  route: m?.route ?? null,
  frequency: m?.frequency ?? null,
});

export function toNeutral(event: ClinicalEvent): NeutralEvent {
  const common = { type: event.type, nhsNumber: event.patient.nhsNumber, occurredAt: instant(event.occurredAt) };
  switch (event.type) {
    case 'PatientDischarged':
      return {
        ...common,
        visitId: event.visitId,
        admittedAt: instant(event.admittedAt),
        dischargedAt: instant(event.dischargedAt),
        dischargeMethod: event.dischargeMethod,
        dischargeDestination: event.dischargeDestination,
        organisation: event.organisation,
        responsibleClinician: event.responsibleClinician,
      };
    case 'DischargeCancelled':
      return { ...common, visitId: event.visitId, cancelledDischargeAt: instant(event.cancelledDischargeAt) };
    case 'DiagnosisRecorded':
    case 'DiagnosisAmended':
      return {
        ...common,
        diagnosisId: event.diagnosisId,
        code: event.code,
        codeSystem: codeSystem(event.codeSystem),
        display: event.display,
        verificationStatus: verification(event.verificationStatus),
        encounterId: event.encounterId,
      };
    case 'DiagnosisRetracted':
      return {
        ...common,
        diagnosisId: event.diagnosisId,
        code: event.code,
        codeSystem: codeSystem(event.codeSystem),
        display: event.display,
        verificationStatus: 'entered-in-error',
        encounterId: event.encounterId,
      };
    case 'MedicationOrdered':
      return { ...common, orderId: event.orderId, ...medication(event.medication), prescriber: event.prescriber };
    case 'MedicationOrderCancelled':
    case 'MedicationOrderDiscontinued':
      return {
        ...common,
        orderId: event.orderId,
        ...medication(event.medication),
        prescriber: event.prescriber,
        reason: event.reason,
      };
  }
}
