import { describe, expect, test } from 'vitest';
import {
  aDiagnosis,
  aDiagnosisAmendment,
  aDiagnosisRetraction,
  aDischarge,
  aDischargeCancellation,
  aMedicationCancellation,
  aMedicationDiscontinuation,
  aMedicationOrder,
} from '../../test/support/eventBuilders.js';
import { describeFoldProperties } from '../../test/support/projectionProperties.js';
import { projectionSpec } from '../../test/support/projectionSpec.js';
import { gpView } from './gpView.js';

const spec = projectionSpec(gpView);

describe('discharges', () => {
  test('a discharge is one line with the event behind it', () => {
    const discharge = aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z' });
    spec
      .given([])
      .when([discharge])
      .then({
        discharges: [
          {
            visitId: 'V1',
            admittedAt: '2026-03-01T08:15:00.000Z',
            dischargedAt: '2026-03-02T14:30:00.000Z',
            organisation: 'RXX01',
            dischargeMethod: '1',
            dischargeDestination: '19',
            responsibleClinician: 'C9999001',
            eventId: discharge.eventId,
          },
        ],
      });
  });

  test('the discharge with the latest occurredAt is the visit line, whichever arrived last', () =>
    spec
      .given([aDischarge({ visitId: 'V1', at: '2026-03-02T16:00:00Z', organisation: 'LATER' })])
      .when([aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z', organisation: 'EARLIER' })])
      .then({ discharges: [{ visitId: 'V1', organisation: 'LATER' }] }));

  test('a cancellation removes the discharge', () =>
    spec
      .given([aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z' })])
      .when([aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .then({ discharges: [] }));

  test('a cancellation that arrives before its discharge still removes it', () =>
    spec
      .given([aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .when([aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z' })])
      .then({ discharges: [] }));

  test('a cancellation at the same time as the discharge withdraws it', () =>
    spec
      .given([aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z' })])
      .when([aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T14:30:00Z' })])
      .then({ discharges: [] }));

  test('a discharge later than the cancellation is a fresh discharge of the visit', () =>
    spec
      .given([
        aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z' }),
        aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' }),
      ])
      .when([aDischarge({ visitId: 'V1', at: '2026-03-03T10:00:00Z' })])
      .then({ discharges: [{ visitId: 'V1', dischargedAt: '2026-03-03T10:00:00.000Z' }] }));

  test('a cancellation touches only its own visit; lines are in discharge order', () =>
    spec
      .given([
        aDischarge({ visitId: 'V2', at: '2026-03-04T10:00:00Z' }),
        aDischarge({ visitId: 'V1', at: '2026-03-02T10:00:00Z' }),
      ])
      .when([aDischargeCancellation({ visitId: 'V3', at: '2026-03-05T10:00:00Z' })])
      .then({ discharges: [{ visitId: 'V1' }, { visitId: 'V2' }] }));

  test('an id that names an object property is just a key', () =>
    spec
      .given([aDischarge({ visitId: '__proto__' })])
      .when([aDischarge({ visitId: 'constructor' })])
      .then({ discharges: [{ visitId: '__proto__' }, { visitId: 'constructor' }] }));
});

describe('active problems', () => {
  test('a recorded diagnosis is active, since its recording, with its event', () => {
    const recorded = aDiagnosis({ diagnosisId: 'D1', at: '2026-03-01T10:30:00Z', code: 'E11.9', codeSystem: 'ICD_10' });
    spec
      .given([])
      .when([recorded])
      .then({
        activeProblems: [
          {
            diagnosisId: 'D1',
            code: 'E11.9',
            codeSystem: 'ICD-10',
            display: 'Type 2 diabetes mellitus without complications',
            verificationStatus: 'confirmed',
            clinicalStatus: null,
            encounterId: 'V20260301001',
            since: '2026-03-01T10:30:00.000Z',
            eventIds: [recorded.eventId],
          },
        ],
      });
  });

  test('an amendment shows its code; since stays at the first recording; both events are kept', () => {
    const recorded = aDiagnosis({ diagnosisId: 'D1', at: '2026-03-01T10:30:00Z', code: 'E11.9' });
    const amended = aDiagnosisAmendment({
      diagnosisId: 'D1',
      at: '2026-03-04T11:10:00Z',
      code: 'E11.2',
      codeSystem: 'ICD_10',
    });
    spec
      .given([recorded])
      .when([amended])
      .then({
        activeProblems: [
          {
            code: 'E11.2',
            codeSystem: 'ICD-10',
            since: '2026-03-01T10:30:00.000Z',
            eventIds: [recorded.eventId, amended.eventId].sort(),
          },
        ],
      });
  });

  test('an amendment that arrives before its recording still wins, being later in clinical time', () =>
    spec
      .given([aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T11:10:00Z', code: 'E11.2' })])
      .when([aDiagnosis({ diagnosisId: 'D1', at: '2026-03-01T10:30:00Z', code: 'E11.9' })])
      .then({ activeProblems: [{ code: 'E11.2', since: '2026-03-01T10:30:00.000Z' }] }));

  test('a retraction removes the diagnosis', () =>
    spec
      .given([aDiagnosis({ diagnosisId: 'D1', at: '2026-03-02T09:15:00Z' })])
      .when([aDiagnosisRetraction({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z' })])
      .then({ activeProblems: [] }));

  test('a retraction that arrives before its diagnosis still hides it', () =>
    spec
      .given([aDiagnosisRetraction({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z' })])
      .when([aDiagnosis({ diagnosisId: 'D1', at: '2026-03-02T09:15:00Z' })])
      .then({ activeProblems: [] }));

  test('a version later in clinical time than the retraction makes the diagnosis active again', () =>
    spec
      .given([
        aDiagnosis({ diagnosisId: 'D1', at: '2026-03-02T09:15:00Z' }),
        aDiagnosisRetraction({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z' }),
      ])
      .when([aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-05T10:00:00Z', code: 'I10' })])
      .then({ activeProblems: [{ diagnosisId: 'D1', code: 'I10', since: '2026-03-02T09:15:00.000Z' }] }));

  test.each([
    { name: 'refuted', change: { verificationStatus: 'REFUTED' as const } },
    { name: 'entered in error', change: { verificationStatus: 'ENTERED_IN_ERROR' as const } },
    { name: 'resolved', change: { clinicalStatus: 'RESOLVED' as const } },
    { name: 'inactive', change: { clinicalStatus: 'INACTIVE' as const } },
    { name: 'in remission', change: { clinicalStatus: 'REMISSION' as const } },
  ])('an amendment to $name takes the diagnosis off the list', ({ change }) =>
    spec
      .given([aDiagnosis({ diagnosisId: 'D1', at: '2026-03-02T09:15:00Z' })])
      .when([aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z', ...change })])
      .then({ activeProblems: [] }),
  );

  test.each([
    {
      name: 'provisional',
      change: { verificationStatus: 'PROVISIONAL' as const },
      expected: { verificationStatus: 'provisional' },
    },
    {
      name: 'with no verification status',
      change: { verificationStatus: null },
      expected: { verificationStatus: null },
    },
    {
      name: 'recurring',
      change: { clinicalStatus: 'RECURRENCE' as const },
      expected: { clinicalStatus: 'recurrence' },
    },
  ])('a diagnosis $name is active', ({ change, expected }) =>
    spec
      .given([])
      .when([aDiagnosis({ diagnosisId: 'D1', ...change })])
      .then({ activeProblems: [{ diagnosisId: 'D1', ...expected }] }),
  );

  test('a retraction of one diagnosis leaves the others', () =>
    spec
      .given([
        aDiagnosis({ diagnosisId: 'D1', at: '2026-03-01T10:00:00Z' }),
        aDiagnosis({ diagnosisId: 'D2', at: '2026-03-02T10:00:00Z' }),
      ])
      .when([aDiagnosisRetraction({ diagnosisId: 'D2', at: '2026-03-03T10:00:00Z' })])
      .then({ activeProblems: [{ diagnosisId: 'D1' }] }));

  test('versions at the same clinical time are decided by eventId, the higher winning', () => {
    const a = aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z', code: 'E11.2' });
    const b = aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z', code: 'E11.3' });
    const [winner, loser] = a.eventId > b.eventId ? [a, b] : [b, a];
    spec
      .given([winner])
      .when([loser])
      .then({ activeProblems: [{ code: winner.code }] });
  });
});

describe('current medications', () => {
  test('an order is current, with what was ordered and when it starts', () => {
    const order = aMedicationOrder({ orderId: 'O1', at: '2026-03-02T09:00:00Z', startAt: null });
    spec
      .given([])
      .when([order])
      .then({
        currentMedications: [
          {
            orderId: 'O1',
            code: '39732311000001104',
            codeSystem: 'dm+d',
            display: 'Amoxicillin 500mg capsules',
            dose: '500',
            doseUnit: 'mg',
            route: 'PO',
            frequency: 'TDS',
            prescriber: 'C9999002',
            startedAt: '2026-03-02T09:00:00.000Z',
            eventIds: [order.eventId],
          },
        ],
      });
  });

  test('startedAt is the order start when one was sent', () =>
    spec
      .given([])
      .when([
        aMedicationOrder({ orderId: 'O1', at: '2026-03-02T09:00:00Z', startAt: new Date('2026-03-03T08:00:00Z') }),
      ])
      .then({ currentMedications: [{ orderId: 'O1', startedAt: '2026-03-03T08:00:00.000Z' }] }));

  test.each([
    { name: 'cancelled', end: aMedicationCancellation({ orderId: 'O1', at: '2026-03-02T09:40:00Z' }) },
    { name: 'discontinued', end: aMedicationDiscontinuation({ orderId: 'O1', at: '2026-03-02T11:50:00Z' }) },
  ])('an order $name is not current', ({ end }) =>
    spec
      .given([aMedicationOrder({ orderId: 'O1', at: '2026-03-02T09:30:00Z' })])
      .when([end])
      .then({ currentMedications: [] }),
  );

  test.each([
    { name: 'a cancel', end: aMedicationCancellation({ orderId: 'O1', at: '2026-03-03T09:40:00Z' }) },
    { name: 'a discontinue', end: aMedicationDiscontinuation({ orderId: 'O1', at: '2026-03-03T09:40:00Z' }) },
  ])('$name that arrives before its order is terminal: the late order never becomes current', ({ end }) =>
    spec
      .given([end])
      .when([aMedicationOrder({ orderId: 'O1', at: '2026-03-03T09:30:00Z' })])
      .then({ currentMedications: [] }),
  );

  test('the end is terminal even when the order is dated after it', () =>
    spec
      .given([aMedicationCancellation({ orderId: 'O1', at: '2026-03-02T09:00:00Z' })])
      .when([aMedicationOrder({ orderId: 'O1', at: '2026-03-05T09:00:00Z' })])
      .then({ currentMedications: [] }));

  test('an end of one order leaves the others current', () =>
    spec
      .given([
        aMedicationOrder({ orderId: 'O1', at: '2026-03-02T09:00:00Z' }),
        aMedicationOrder({ orderId: 'O2', at: '2026-03-02T10:00:00Z' }),
      ])
      .when([aMedicationDiscontinuation({ orderId: 'O1' })])
      .then({ currentMedications: [{ orderId: 'O2' }] }));
});

describe('lastUpdated', () => {
  test('is the latest recordedAt applied, whatever the clinical times', () =>
    spec
      .given([aDischarge({ at: '2026-03-05T10:00:00Z', recordedAt: '2026-03-05T10:01:00Z' })])
      .when([aDiagnosis({ at: '2026-03-01T10:00:00Z', recordedAt: '2026-03-06T09:00:00Z' })])
      .then({ lastUpdated: '2026-03-06T09:00:00.000Z' }));

  test('is null before any event', () => {
    expect(gpView.rows('9991000216', gpView.initialState)).toEqual({
      discharges: [],
      activeProblems: [],
      currentMedications: [],
      lastUpdated: null,
    });
  });
});

describeFoldProperties(gpView);
