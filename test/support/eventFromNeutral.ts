/**
 * The inverse of `toNeutral`: a canonical event from the samples' neutral form, with a
 * deterministic eventId from the given dedup key, the given recordedAt, and placeholder
 * envelope and detail fields the neutral form does not carry (source, correlation id, codings,
 * clinical status, placer namespace…). `toNeutral(eventFromNeutral(n, …))` equals `n`.
 */
import { EVENT_ID_NAMESPACE, uuidV5 } from '../../core/eventIdentity.js';
import type {
  ClinicalEvent,
  CodeSystem,
  Medication,
  Patient,
  Source,
  VerificationStatus,
} from '../../schemas/generated/events.js';
import type { NeutralEvent } from './neutralEvent.js';

export type NeutralEnvelope = {
  /** Any string unique to the event; its UUID v5 is the eventId. */
  readonly dedupKey: string;
  readonly recordedAt: Date;
};

const codeSystems: Readonly<Record<string, CodeSystem>> = {
  'SNOMED-CT': 'SNOMED_CT',
  'ICD-10': 'ICD_10',
  'dm+d': 'DMD',
  unknown: 'UNKNOWN',
};

/** The FHIR system of each code system, for the one coding a diagnosis carries. */
const codingSystems = {
  SNOMED_CT: 'http://snomed.info/sct',
  ICD_10: 'http://hl7.org/fhir/sid/icd-10',
  DMD: 'https://dmd.nhs.uk',
  UNKNOWN: 'unknown',
} as const satisfies Record<CodeSystem, string>;

function field(neutral: NeutralEvent, name: string): string | null {
  const value = neutral[name];
  if (value === undefined) throw new Error(`neutral ${neutral.type} event has no ${name}`);
  return value;
}

function required(neutral: NeutralEvent, name: string): string {
  const value = field(neutral, name);
  if (value === null) throw new Error(`neutral ${neutral.type} event has ${name} null`);
  return value;
}

const instant = (value: string | null): Date | null => (value === null ? null : new Date(value));

function codeSystemOf(label: string | null): CodeSystem | null {
  if (label === null) return null;
  const system = codeSystems[label];
  if (system === undefined) throw new Error(`unknown code system label ${label}`);
  return system;
}

const verificationStatuses = [
  'UNCONFIRMED',
  'PROVISIONAL',
  'DIFFERENTIAL',
  'CONFIRMED',
  'REFUTED',
  'ENTERED_IN_ERROR',
  'UNKNOWN',
] as const satisfies readonly VerificationStatus[];

function verificationOf(value: string | null): VerificationStatus | null {
  if (value === null) return null;
  const status = verificationStatuses.find((s) => s === value.toUpperCase().replace(/-/g, '_'));
  if (status === undefined) throw new Error(`unknown verification status ${value}`);
  return status;
}

function medicationOf(neutral: NeutralEvent): Medication | null {
  const code = field(neutral, 'code');
  if (code === null) return null;
  return {
    code,
    codeSystem: codeSystemOf(field(neutral, 'codeSystem')) ?? 'UNKNOWN',
    display: field(neutral, 'display'),
    dose: field(neutral, 'dose'),
    doseUnit: field(neutral, 'doseUnit'),
    route: field(neutral, 'route'),
    frequency: field(neutral, 'frequency'),
    dosageText: null,
  };
}

function requiredMedication(neutral: NeutralEvent): Medication {
  const medication = medicationOf(neutral);
  if (medication === null) throw new Error('neutral MedicationOrdered event has code null');
  return medication;
}

export function eventFromNeutral(neutral: NeutralEvent, envelope: NeutralEnvelope): ClinicalEvent {
  const patient: Patient = {
    nhsNumber: required(neutral, 'nhsNumber'),
    nhsNumberVerificationStatus: null,
    localIdentifiers: [],
  };
  const source: Source = {
    channel: 'UNKNOWN',
    system: 'samples',
    facility: null,
    messageType: null,
    messageId: envelope.dedupKey,
    messageVersion: null,
    place: null,
    receiptId: null,
  };
  const common = {
    eventId: uuidV5(envelope.dedupKey, EVENT_ID_NAMESPACE),
    dedupKey: envelope.dedupKey,
    occurredAt: new Date(required(neutral, 'occurredAt')),
    recordedAt: envelope.recordedAt,
    patient,
    source,
    correlationId: envelope.dedupKey,
    causationId: null,
  };
  const type = required(neutral, 'type');
  switch (type) {
    case 'PatientDischarged':
      return {
        type,
        ...common,
        visitId: required(neutral, 'visitId'),
        admittedAt: instant(field(neutral, 'admittedAt')),
        dischargedAt: new Date(required(neutral, 'dischargedAt')),
        dischargeMethod: field(neutral, 'dischargeMethod'),
        dischargeDestination: field(neutral, 'dischargeDestination'),
        organisation: field(neutral, 'organisation'),
        responsibleClinician: field(neutral, 'responsibleClinician'),
        encounterClass: null,
      };
    case 'DischargeCancelled':
      return {
        type,
        ...common,
        visitId: required(neutral, 'visitId'),
        cancelledDischargeAt: instant(field(neutral, 'cancelledDischargeAt')),
        reason: null,
      };
    case 'DiagnosisRecorded':
    case 'DiagnosisAmended': {
      const code = required(neutral, 'code');
      const codeSystem = codeSystemOf(required(neutral, 'codeSystem')) ?? 'UNKNOWN';
      const display = field(neutral, 'display');
      return {
        type,
        ...common,
        diagnosisId: required(neutral, 'diagnosisId'),
        code,
        codeSystem,
        display,
        codings: [{ system: codingSystems[codeSystem], code, display }],
        clinicalStatus: null,
        verificationStatus: verificationOf(field(neutral, 'verificationStatus')),
        onset: null,
        recorder: null,
        encounterId: field(neutral, 'encounterId'),
      };
    }
    case 'DiagnosisRetracted':
      return {
        type,
        ...common,
        diagnosisId: required(neutral, 'diagnosisId'),
        code: field(neutral, 'code'),
        codeSystem: codeSystemOf(field(neutral, 'codeSystem')),
        display: field(neutral, 'display'),
        reason: null,
        encounterId: field(neutral, 'encounterId'),
      };
    case 'MedicationOrdered':
      return {
        type,
        ...common,
        orderId: required(neutral, 'orderId'),
        placerNamespace: null,
        fillerOrderId: null,
        medication: requiredMedication(neutral),
        startAt: null,
        stopAt: null,
        prescriber: field(neutral, 'prescriber'),
        reason: null,
        encounterId: null,
      };
    case 'MedicationOrderCancelled':
    case 'MedicationOrderDiscontinued':
      return {
        type,
        ...common,
        orderId: required(neutral, 'orderId'),
        placerNamespace: null,
        fillerOrderId: null,
        medication: medicationOf(neutral),
        prescriber: field(neutral, 'prescriber'),
        reason: field(neutral, 'reason'),
      };
    default:
      throw new Error(`unknown neutral event type ${type}`);
  }
}
