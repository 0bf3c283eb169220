/**
 * fast-check arbitraries for projection properties: one patient's events drawn from small
 * pools of visits, diagnoses, orders, codes and instants (so the same key and the same clinical
 * time come up often, and ties are exercised), and an arrival of those events in any order with
 * any of them delivered more than once.
 */
import { fc } from '@fast-check/vitest';
import type { ClinicalEvent, ClinicalStatus, CodeSystem, VerificationStatus } from '../../schemas/generated/events.js';
import {
  aDiagnosis,
  aDiagnosisAmendment,
  aDiagnosisRetraction,
  aDischarge,
  aDischargeCancellation,
  aMedicationCancellation,
  aMedicationDiscontinuation,
  aMedicationOrder,
} from './eventBuilders.js';

const instants = fc.constantFrom(
  '2026-03-01T10:30:00Z',
  '2026-03-02T09:00:00Z',
  '2026-03-02T14:30:00Z',
  '2026-03-03T11:00:00Z',
  '2026-03-04T10:00:00Z',
);
const recordedAts = fc.constantFrom('2026-03-05T09:00:00Z', '2026-03-06T09:00:00Z', '2026-03-06T15:11:00Z');
const visitIds = fc.constantFrom('V1', 'V2', '__proto__');
const diagnosisIds = fc.constantFrom('D1', 'D2', 'constructor');
const orderIds = fc.constantFrom('O1', 'O2', 'O3');

/** LTC and non-LTC codes in both terminologies, as sent. */
const diagnosisCodes = fc.constantFrom<{ code: string; codeSystem: CodeSystem }>(
  { code: 'E11.9', codeSystem: 'ICD_10' },
  { code: 'E11.2', codeSystem: 'ICD_10' },
  { code: 'I10', codeSystem: 'ICD_10' },
  { code: 'R73.0', codeSystem: 'ICD_10' },
  { code: '44054006', codeSystem: 'SNOMED_CT' },
  { code: '714628002', codeSystem: 'SNOMED_CT' },
  { code: '233604007', codeSystem: 'SNOMED_CT' },
);
const verificationStatuses = fc.constantFrom<VerificationStatus | null>(
  'CONFIRMED',
  'CONFIRMED',
  'PROVISIONAL',
  'REFUTED',
  'ENTERED_IN_ERROR',
  null,
);
const clinicalStatuses = fc.constantFrom<ClinicalStatus | null>(null, null, 'ACTIVE', 'RESOLVED', 'REMISSION');

const discharge = fc
  .record({
    visitId: visitIds,
    at: instants,
    recordedAt: recordedAts,
    dischargeMethod: fc.constantFrom<string | null>('1', '1', '4', null),
    dischargeDestination: fc.constantFrom<string | null>('19', '19', '51', '79', null),
    encounterClass: fc.constantFrom<string | null>('I', 'I', 'E', null),
  })
  .map((o) => aDischarge(o));

const dischargeCancellation = fc
  .record({ visitId: visitIds, at: instants, recordedAt: recordedAts })
  .map((o) => aDischargeCancellation(o));

const recording = fc.record({
  diagnosisId: diagnosisIds,
  at: instants,
  recordedAt: recordedAts,
  coded: diagnosisCodes,
  verificationStatus: verificationStatuses,
  clinicalStatus: clinicalStatuses,
});

const diagnosisRecorded = recording.map(({ coded, ...o }) => aDiagnosis({ ...o, ...coded }));
const diagnosisAmended = recording.map(({ coded, ...o }) => aDiagnosisAmendment({ ...o, ...coded }));
const diagnosisRetracted = fc
  .record({ diagnosisId: diagnosisIds, at: instants, recordedAt: recordedAts })
  .map((o) => aDiagnosisRetraction(o));

const medicationOrder = fc
  .record({ orderId: orderIds, at: instants, recordedAt: recordedAts, prescriber: fc.constantFrom('P1', 'P2') })
  .map((o) => aMedicationOrder(o));
const medicationCancellation = fc
  .record({ orderId: orderIds, at: instants, recordedAt: recordedAts, reason: fc.constantFrom('declined', null) })
  .map((o) => aMedicationCancellation(o));
const medicationDiscontinuation = fc
  .record({ orderId: orderIds, at: instants, recordedAt: recordedAts, reason: fc.constantFrom('rash', null) })
  .map((o) => aMedicationDiscontinuation(o));

/** One event of any type for patient A. */
export const arbPatientEvent: fc.Arbitrary<ClinicalEvent> = fc.oneof(
  discharge,
  dischargeCancellation,
  diagnosisRecorded,
  diagnosisAmended,
  diagnosisRetracted,
  medicationOrder,
  medicationCancellation,
  medicationDiscontinuation,
);

/** One patient's events, as they were written to the log. */
export const arbPatientEvents = (maxLength = 30): fc.Arbitrary<readonly ClinicalEvent[]> =>
  fc.array(arbPatientEvent, { maxLength });

/** The same events arriving in any order, any of them more than once. */
export function arbArrival(events: readonly ClinicalEvent[]): fc.Arbitrary<readonly ClinicalEvent[]> {
  const resent = events.length === 0 ? fc.constant([]) : fc.array(fc.constantFrom(...events), { maxLength: 10 });
  return resent.chain((again) =>
    fc.shuffledSubarray([...events, ...again], { minLength: events.length + again.length }),
  );
}

/** A patient's events together with another arrival of them. */
export const arbEventsInTwoArrivals = (maxLength = 30) =>
  arbPatientEvents(maxLength).chain((events) => fc.tuple(fc.constant(events), arbArrival(events)));
