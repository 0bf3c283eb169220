/**
 * Builders for one patient's canonical events in projection tests: an example event of the
 * type with the fields a test names changed. Defaults pair up (visit V20260301001, diagnosis
 * DX10002, order ORD5001, patient A) so a cancel meets its order without more words. The
 * eventId is derived from the content, so building the same fact twice gives the same event
 * (a duplicate) and two different facts never share an id.
 */
import { EVENT_ID_NAMESPACE, uuidV5 } from '../../core/eventIdentity.js';
import type {
  ClinicalEvent,
  CodeSystem,
  DiagnosisAmended,
  DiagnosisRecorded,
  DiagnosisRetracted,
  DischargeCancelled,
  MedicationOrderCancelled,
  MedicationOrderDiscontinued,
  MedicationOrdered,
  PatientDischarged,
} from '../../schemas/generated/events.js';
import { exampleEvents } from './exampleEvents.js';

export const PATIENT_A = '9991000216';

/** The fields a test may set: occurredAt as `at`, recordedAt, the NHS number, and any event field. */
export type Overrides<E extends ClinicalEvent> = Partial<
  Omit<E, 'type' | 'eventId' | 'dedupKey' | 'occurredAt' | 'recordedAt' | 'patient'>
> & {
  readonly at?: string;
  readonly recordedAt?: string;
  readonly nhsNumber?: string;
};

/** `defaults` are fields the builder sets for the type and the test may still override. */
function build<E extends ClinicalEvent>(
  base: E,
  overrides: Overrides<E>,
  defaults: Readonly<Record<string, unknown>> = {},
): E {
  const { at, recordedAt, nhsNumber, ...fields } = overrides;
  const event = {
    ...base,
    ...defaults,
    ...fields,
    occurredAt: at === undefined ? base.occurredAt : new Date(at),
    recordedAt: recordedAt === undefined ? base.recordedAt : new Date(recordedAt),
    patient: { ...base.patient, nhsNumber: nhsNumber ?? PATIENT_A },
  };
  const dedupKey = `built|${JSON.stringify({ ...event, eventId: null, dedupKey: null })}`;
  return { ...event, dedupKey, eventId: uuidV5(dedupKey, EVENT_ID_NAMESPACE) } as E;
}

const VISIT = 'V20260301001';
const DIAGNOSIS = 'DX10002';
const ORDER = 'ORD5001';

const codingSystemOf = {
  SNOMED_CT: 'http://snomed.info/sct',
  ICD_10: 'http://hl7.org/fhir/sid/icd-10',
  DMD: 'https://dmd.nhs.uk',
  UNKNOWN: 'unknown',
} as const satisfies Record<CodeSystem, string>;

export const aDischarge = (o: Overrides<PatientDischarged> = {}): PatientDischarged =>
  build(exampleEvents.PatientDischarged as PatientDischarged, o, {
    visitId: VISIT,
    // occurredAt is the discharge time.
    ...(o.at === undefined ? {} : { dischargedAt: new Date(o.at) }),
  });

export const aDischargeCancellation = (o: Overrides<DischargeCancelled> = {}): DischargeCancelled =>
  build(exampleEvents.DischargeCancelled as DischargeCancelled, o, { visitId: VISIT });

/** A diagnosis's codings follow its code unless the test sets them. */
function diagnosis<E extends DiagnosisRecorded | DiagnosisAmended>(base: E, o: Overrides<E>): E {
  const code = o.code ?? base.code;
  const codeSystem = o.codeSystem ?? base.codeSystem;
  const display = o.display === undefined ? base.display : o.display;
  return build(base, o, {
    diagnosisId: DIAGNOSIS,
    codings: [{ system: codingSystemOf[codeSystem], code, display }],
  });
}

export const aDiagnosis = (o: Overrides<DiagnosisRecorded> = {}): DiagnosisRecorded =>
  diagnosis(exampleEvents.DiagnosisRecorded as DiagnosisRecorded, o);

export const aDiagnosisAmendment = (o: Overrides<DiagnosisAmended> = {}): DiagnosisAmended =>
  diagnosis(exampleEvents.DiagnosisAmended as DiagnosisAmended, o);

export const aDiagnosisRetraction = (o: Overrides<DiagnosisRetracted> = {}): DiagnosisRetracted =>
  build(exampleEvents.DiagnosisRetracted as DiagnosisRetracted, o, { diagnosisId: DIAGNOSIS });

export const aMedicationOrder = (o: Overrides<MedicationOrdered> = {}): MedicationOrdered =>
  build(exampleEvents.MedicationOrdered as MedicationOrdered, o, { orderId: ORDER });

export const aMedicationCancellation = (o: Overrides<MedicationOrderCancelled> = {}): MedicationOrderCancelled =>
  build(exampleEvents.MedicationOrderCancelled as MedicationOrderCancelled, o, { orderId: ORDER });

export const aMedicationDiscontinuation = (
  o: Overrides<MedicationOrderDiscontinued> = {},
): MedicationOrderDiscontinued =>
  build(exampleEvents.MedicationOrderDiscontinued as MedicationOrderDiscontinued, o, { orderId: ORDER });
