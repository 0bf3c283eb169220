/**
 * A deterministic multi-patient workload for the consumer tests: per patient a discharge
 * (sometimes cancelled), diagnoses with LTC and non-LTC codes, amendments and retractions,
 * orders, and cancels that sometimes come before their order. Plus the reference: the rows
 * each view must show, folded in memory from the same events.
 */
import { nhsCheckDigit } from '../../core/nhsNumber.js';
import { carePlanView } from '../../projections/care-plan-view/carePlanView.js';
import { gpView } from '../../projections/gp-view/gpView.js';
import { pharmacyView } from '../../projections/pharmacy-view/pharmacyView.js';
import { foldEvents } from '../../projections/projection.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
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

/** The n-th valid test-range NHS number (999 range, stems without a check digit skipped). */
export function testNhsNumber(n: number): string {
  let stem = 999_100_000 + n * 7;
  for (;;) {
    const check = nhsCheckDigit(String(stem));
    if (check !== undefined) return `${stem}${check}`;
    stem += 1;
  }
}

const day = (d: number, h = 9) => `2026-04-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;

export function patientEvents(i: number): ClinicalEvent[] {
  const nhsNumber = testNhsNumber(i);
  const visitId = `V-${i}`;
  const events: ClinicalEvent[] = [
    aDischarge({ nhsNumber, visitId, at: day(2, 14) }),
    aDiagnosis({
      nhsNumber,
      diagnosisId: `DX-${i}-1`,
      code: 'E11.9',
      codeSystem: 'ICD_10',
      verificationStatus: 'CONFIRMED',
      at: day(1),
    }),
    aDiagnosis({
      nhsNumber,
      diagnosisId: `DX-${i}-2`,
      code: '233604007',
      codeSystem: 'SNOMED_CT',
      verificationStatus: 'CONFIRMED',
      at: day(1, 10),
    }),
    aMedicationOrder({ nhsNumber, orderId: `ORD-${i}-1`, at: day(2, 9) }),
    aMedicationOrder({ nhsNumber, orderId: `ORD-${i}-2`, at: day(2, 10) }),
  ];
  if (i % 3 === 0)
    events.push(
      aDiagnosisAmendment({
        nhsNumber,
        diagnosisId: `DX-${i}-1`,
        code: 'E11.2',
        codeSystem: 'ICD_10',
        verificationStatus: 'CONFIRMED',
        at: day(3),
      }),
    );
  if (i % 4 === 0) events.push(aDiagnosisRetraction({ nhsNumber, diagnosisId: `DX-${i}-2`, at: day(3, 11) }));
  if (i % 5 === 0) events.unshift(aMedicationCancellation({ nhsNumber, orderId: `ORD-${i}-2`, at: day(2, 11) })); // before its order
  if (i % 7 === 0) events.push(aMedicationDiscontinuation({ nhsNumber, orderId: `ORD-${i}-1`, at: day(4) }));
  if (i % 11 === 0) events.push(aDischargeCancellation({ nhsNumber, visitId, at: day(2, 16) }));
  return events;
}

export function workload(patients: number): ClinicalEvent[] {
  return Array.from({ length: patients }, (_, i) => patientEvents(i)).flat();
}

export type ReferenceRows = {
  readonly gp: ReadonlyMap<string, unknown>;
  readonly pharmacyOrders: readonly unknown[];
  readonly carePlanTasks: readonly unknown[];
};

/** What the views must show for these events, folded in memory patient by patient. */
export function referenceRows(events: readonly ClinicalEvent[]): ReferenceRows {
  const byPatient = new Map<string, ClinicalEvent[]>();
  for (const e of events) byPatient.set(e.patient.nhsNumber, [...(byPatient.get(e.patient.nhsNumber) ?? []), e]);
  const gp = new Map<string, unknown>();
  const pharmacyOrders: unknown[] = [];
  const carePlanTasks: unknown[] = [];
  for (const [nhs, list] of byPatient) {
    gp.set(nhs, gpView.rows(nhs, foldEvents(gpView, list)));
    pharmacyOrders.push(...pharmacyView.rows(nhs, foldEvents(pharmacyView, list)).orders);
    carePlanTasks.push(...carePlanView.rows(nhs, foldEvents(carePlanView, list)).tasks);
  }
  return { gp, pharmacyOrders, carePlanTasks };
}
