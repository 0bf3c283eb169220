/**
 * A deterministic stream of canonical events for the views benchmark: a population of
 * patients with valid test-range NHS numbers, each event for a patient drawn at random, of
 * the 8 types in realistic proportions (mostly orders, diagnoses and discharges; corrections
 * and cancels aimed at facts the patient already has). Same seed, same events. Pure.
 */
import { eventIdFor, hl7DedupKey } from '../core/eventIdentity.js';
import { nhsCheckDigit } from '../core/nhsNumber.js';
import type { ClinicalEvent, ClinicalEventType, Medication, Patient } from '../schemas/generated/events.js';
import { exampleEvents } from '../test/support/exampleEvents.js';

/** Percent of the stream per type; a correction with nothing to correct becomes its primary fact. */
const typeMix = [
  ['MedicationOrdered', 30],
  ['DiagnosisRecorded', 26],
  ['PatientDischarged', 22],
  ['DiagnosisAmended', 6],
  ['MedicationOrderDiscontinued', 6],
  ['MedicationOrderCancelled', 4],
  ['DischargeCancelled', 3],
  ['DiagnosisRetracted', 3],
] as const satisfies readonly (readonly [ClinicalEventType, number])[];

const diagnoses = [
  ['E11.9', 'Type 2 diabetes mellitus without complications'],
  ['I10', 'Essential (primary) hypertension'],
  ['J44.1', 'Chronic obstructive pulmonary disease with acute exacerbation'],
  ['I50.9', 'Heart failure, unspecified'],
  ['N18.3', 'Chronic kidney disease, stage 3'],
  ['J18.9', 'Pneumonia, unspecified'],
  ['I21.4', 'Acute subendocardial myocardial infarction'],
  ['F32.9', 'Depressive episode, unspecified'],
] as const;

const medications: readonly Medication[] = [
  ['39732311000001104', 'Amoxicillin 500mg capsules', '500', 'mg', 'TDS'],
  ['317972000', 'Furosemide 40mg tablets', '40', 'mg', 'OM'],
  ['42217411000001107', 'Metformin 500mg tablets', '500', 'mg', 'BD'],
  ['318421004', 'Atorvastatin 20mg tablets', '20', 'mg', 'ON'],
  ['322236009', 'Paracetamol 500mg tablets', '1000', 'mg', 'QDS'],
  ['39113611000001102', 'Ramipril 5mg capsules', '5', 'mg', 'OD'],
].map(([code, display, dose, doseUnit, frequency]) => ({
  code: code as string,
  codeSystem: 'DMD' as const,
  display: display as string,
  dose: dose as string,
  doseUnit: doseUnit as string,
  route: 'PO',
  frequency: frequency as string,
  dosageText: null,
}));

/** Valid NHS numbers in the never-issued 999 range, one per patient, stems without a check digit skipped. */
export function testRangeNhsNumbers(count: number): readonly string[] {
  const numbers: string[] = [];
  for (let stem = 999_000_001; numbers.length < count; stem += 7) {
    const check = nhsCheckDigit(String(stem));
    if (check !== undefined) numbers.push(`${stem}${check}`);
  }
  return numbers;
}

/** mulberry32: a small seeded generator, so the stream is the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse('2025-01-01T00:00:00Z');
const MINUTE = 60_000;

/**
 * `count` events over `patients` patients, in log order. Clinical time advances 30 s per
 * event; each event is recorded 90 s after it happened.
 */
export function* canonicalWorkload(count: number, patients: number, seed = 20260301): Generator<ClinicalEvent> {
  const nhsNumbers = testRangeNhsNumbers(patients);
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const visits = new Int32Array(patients);
  const diagnosed = new Int32Array(patients);
  const ordered = new Int32Array(patients);
  let sum = 0;
  const cumulative = typeMix.map(([, weight]) => (sum += weight));
  const total = sum;

  for (let i = 0; i < count; i += 1) {
    const p = Math.floor(random() * patients);
    const nhsNumber = nhsNumbers[p] as string;
    const roll = random() * total;
    let type: ClinicalEventType = typeMix[cumulative.findIndex((c) => roll < c)]?.[0] ?? 'MedicationOrdered';
    if (type === 'DischargeCancelled' && visits[p] === 0) type = 'PatientDischarged';
    if ((type === 'DiagnosisAmended' || type === 'DiagnosisRetracted') && diagnosed[p] === 0)
      type = 'DiagnosisRecorded';
    if ((type === 'MedicationOrderCancelled' || type === 'MedicationOrderDiscontinued') && ordered[p] === 0)
      type = 'MedicationOrdered';

    const occurredAt = new Date(START + i * 30_000);
    const place = type.startsWith('Diagnosis') ? 'DG1#1' : type.startsWith('Medication') ? 'ORC#1' : 'PV1';
    const controlId = `B${i}`;
    const dedupKey = hl7DedupKey({ sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId, place });
    const patient: Patient = {
      nhsNumber,
      nhsNumberVerificationStatus: '01',
      localIdentifiers: [{ authority: 'RXX', value: `H${1_000_000 + p}`, identifierType: 'MR' }],
    };
    const envelope = {
      eventId: eventIdFor(dedupKey),
      dedupKey,
      occurredAt,
      recordedAt: new Date(occurredAt.getTime() + 1.5 * MINUTE),
      patient,
      source: { ...exampleEvents[type].source, messageId: controlId, place },
      correlationId: `hl7-PAS-${controlId}`,
      causationId: null,
    };
    const lastVisit = `V${p}-${visits[p]}`;
    const someDiagnosis = () => `DX${p}-${1 + Math.floor(random() * (diagnosed[p] ?? 1))}`;
    const someOrder = () => `ORD${p}-${1 + Math.floor(random() * (ordered[p] ?? 1))}`;

    switch (type) {
      case 'PatientDischarged':
        visits[p] = (visits[p] ?? 0) + 1;
        yield {
          ...exampleEvents.PatientDischarged,
          ...envelope,
          type,
          visitId: `V${p}-${visits[p]}`,
          admittedAt: new Date(occurredAt.getTime() - 2 * 24 * 60 * MINUTE),
          dischargedAt: occurredAt,
        } as ClinicalEvent;
        break;
      case 'DischargeCancelled':
        yield {
          ...exampleEvents.DischargeCancelled,
          ...envelope,
          type,
          visitId: lastVisit,
          cancelledDischargeAt: new Date(occurredAt.getTime() - 60 * MINUTE),
        } as ClinicalEvent;
        break;
      case 'DiagnosisRecorded': {
        diagnosed[p] = (diagnosed[p] ?? 0) + 1;
        const [code, display] = pick(diagnoses);
        yield {
          ...exampleEvents.DiagnosisRecorded,
          ...envelope,
          type,
          diagnosisId: `DX${p}-${diagnosed[p]}`,
          code,
          display,
          codings: [{ system: 'I10', code, display }],
          encounterId: visits[p] === 0 ? null : lastVisit,
        } as ClinicalEvent;
        break;
      }
      case 'DiagnosisAmended': {
        const [code, display] = pick(diagnoses);
        yield {
          ...exampleEvents.DiagnosisAmended,
          ...envelope,
          type,
          diagnosisId: someDiagnosis(),
          code,
          codeSystem: 'ICD_10',
          display,
          codings: [{ system: 'I10', code, display }],
          clinicalStatus: random() < 0.3 ? 'RESOLVED' : 'ACTIVE',
        } as ClinicalEvent;
        break;
      }
      case 'DiagnosisRetracted':
        yield { ...exampleEvents.DiagnosisRetracted, ...envelope, type, diagnosisId: someDiagnosis() } as ClinicalEvent;
        break;
      case 'MedicationOrdered':
        ordered[p] = (ordered[p] ?? 0) + 1;
        yield {
          ...exampleEvents.MedicationOrdered,
          ...envelope,
          type,
          orderId: `ORD${p}-${ordered[p]}`,
          medication: pick(medications),
          startAt: occurredAt,
          encounterId: visits[p] === 0 ? null : lastVisit,
        } as ClinicalEvent;
        break;
      case 'MedicationOrderCancelled':
      case 'MedicationOrderDiscontinued':
        yield {
          ...exampleEvents[type],
          ...envelope,
          type,
          orderId: someOrder(),
          placerNamespace: 'EPMA',
        } as ClinicalEvent;
        break;
    }
  }
}
