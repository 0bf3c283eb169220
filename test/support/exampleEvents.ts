/**
 * One well-formed canonical event of every type, built from the sample patients, for tests
 * of the contract (round trips, evolution). Typed by the generated types, so a schema change
 * that these do not follow fails to compile.
 */
import { eventIdFor, fhirDedupKey, hl7DedupKey } from '../../core/eventIdentity.js';
import type { ClinicalEvent, ClinicalEventType, Patient, Source } from '../../schemas/generated/events.js';

const at = (iso: string) => new Date(iso);

const patientA: Patient = {
  nhsNumber: '9991000216',
  nhsNumberVerificationStatus: '01',
  localIdentifiers: [{ authority: 'RXX', value: 'H1000001', identifierType: 'MR' }],
};

function hl7Envelope(controlId: string, place: string, messageType: string, occurredAt: string) {
  const dedupKey = hl7DedupKey({ sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId, place });
  const source: Source = {
    channel: 'HL7V2',
    system: 'PAS',
    facility: 'RXX01',
    messageType,
    messageId: controlId,
    messageVersion: '2.4',
    place,
    receiptId: '5b0f3c1e-8f7a-4d2b-9e61-3a7c5d9b1f20',
  };
  return {
    eventId: eventIdFor(dedupKey),
    dedupKey,
    occurredAt: at(occurredAt),
    recordedAt: at('2026-03-02T14:31:05Z'),
    patient: patientA,
    source,
    correlationId: `hl7-PAS-${controlId}`,
    causationId: null,
  };
}

function fhirEnvelope(resourceType: string, id: string, versionId: string, occurredAt: string) {
  const dedupKey = fhirDedupKey({ resourceType, id, versionId });
  const source: Source = {
    channel: 'FHIR',
    system: 'gp-system.example',
    facility: null,
    messageType: resourceType,
    messageId: `${resourceType}/${id}`,
    messageVersion: versionId,
    place: null,
    receiptId: null,
  };
  return {
    eventId: eventIdFor(dedupKey),
    dedupKey,
    occurredAt: at(occurredAt),
    recordedAt: at('2026-03-06T09:00:02Z'),
    patient: { nhsNumber: '9992000368', nhsNumberVerificationStatus: null, localIdentifiers: [] },
    source,
    correlationId: 'b7c2e0a4-1f3d-4e5a-8c9b-0d1e2f3a4b5c',
    causationId: null,
  };
}

const amoxicillin = {
  code: '39732311000001104',
  codeSystem: 'DMD' as const,
  display: 'Amoxicillin 500mg capsules',
  dose: '500',
  doseUnit: 'mg',
  route: 'PO',
  frequency: 'TDS',
  dosageText: null,
};

export const exampleEvents: Readonly<Record<ClinicalEventType, ClinicalEvent>> = {
  PatientDischarged: {
    type: 'PatientDischarged',
    ...hl7Envelope('100187', 'PV1', 'ADT^A03', '2026-03-02T14:30:00Z'),
    visitId: 'V20260301001',
    admittedAt: at('2026-03-01T08:15:00Z'),
    dischargedAt: at('2026-03-02T14:30:00Z'),
    dischargeMethod: '1',
    dischargeDestination: '19',
    organisation: 'RXX01',
    responsibleClinician: 'C9999001',
    encounterClass: 'IMP',
  },
  DischargeCancelled: {
    type: 'DischargeCancelled',
    ...hl7Envelope('100190', 'PV1', 'ADT^A13', '2026-03-02T16:00:00Z'),
    visitId: 'V20260301001',
    cancelledDischargeAt: at('2026-03-02T14:30:00Z'),
    reason: null,
  },
  DiagnosisRecorded: {
    type: 'DiagnosisRecorded',
    ...hl7Envelope('100187', 'DG1#2', 'ADT^A03', '2026-03-01T10:30:00Z'),
    diagnosisId: 'DX10002',
    code: 'E11.9',
    codeSystem: 'ICD_10',
    display: 'Type 2 diabetes mellitus without complications',
    codings: [{ system: 'I10', code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' }],
    clinicalStatus: null,
    verificationStatus: 'CONFIRMED',
    onset: null,
    recorder: 'C9999001',
    encounterId: 'V20260301001',
  },
  DiagnosisAmended: {
    type: 'DiagnosisAmended',
    ...fhirEnvelope('Condition', 'gp-cond-b2-0417', '2', '2026-03-06T09:15:00Z'),
    diagnosisId: 'gp-cond-b2-0417',
    code: '44054006',
    codeSystem: 'SNOMED_CT',
    display: 'Type 2 diabetes mellitus',
    codings: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Type 2 diabetes mellitus' }],
    clinicalStatus: 'ACTIVE',
    verificationStatus: 'CONFIRMED',
    onset: '2026-03',
    recorder: 'G9999998',
    encounterId: null,
  },
  DiagnosisRetracted: {
    type: 'DiagnosisRetracted',
    ...fhirEnvelope('Condition', 'gp-cond-c3-0421', '2', '2026-03-06T15:00:00Z'),
    diagnosisId: 'gp-cond-c3-0421',
    code: '399153001',
    codeSystem: 'SNOMED_CT',
    display: 'Vertigo',
    reason: 'entered-in-error',
    encounterId: null,
  },
  MedicationOrdered: {
    type: 'MedicationOrdered',
    ...hl7Envelope('100101', 'ORC#1', 'ORM^O01', '2026-03-02T09:00:00Z'),
    orderId: 'ORD5001',
    placerNamespace: 'EPMA',
    fillerOrderId: null,
    medication: amoxicillin,
    startAt: at('2026-03-02T09:00:00Z'),
    stopAt: null,
    prescriber: 'C9999002',
    reason: 'Community-acquired pneumonia',
    encounterId: 'V20260301001',
  },
  MedicationOrderCancelled: {
    type: 'MedicationOrderCancelled',
    ...fhirEnvelope('MedicationRequest', 'gp-medreq-b2-0502', '2', '2026-03-06T16:10:00Z'),
    orderId: 'GP-RX-0502',
    placerNamespace: null,
    fillerOrderId: null,
    medication: null,
    prescriber: 'G9999998',
    reason: 'Patient declined',
  },
  MedicationOrderDiscontinued: {
    type: 'MedicationOrderDiscontinued',
    ...hl7Envelope('100102', 'ORC#1', 'ORM^O01', '2026-03-02T11:00:00Z'),
    orderId: 'ORD5001',
    placerNamespace: 'EPMA',
    fillerOrderId: null,
    medication: amoxicillin,
    prescriber: 'C9999002',
    reason: 'Rash',
  },
};
