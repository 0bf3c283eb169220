import { describe, test } from 'vitest';
import {
  aDiagnosis,
  aDiagnosisAmendment,
  aDiagnosisRetraction,
  aDischarge,
  aDischargeCancellation,
  aMedicationOrder,
  PATIENT_A,
} from '../../test/support/eventBuilders.js';
import { describeFoldProperties } from '../../test/support/projectionProperties.js';
import { projectionSpec } from '../../test/support/projectionSpec.js';
import { carePlanView, createCarePlanView } from './carePlanView.js';

const spec = projectionSpec(carePlanView);

const discharged = (o: Parameters<typeof aDischarge>[0] = {}) =>
  aDischarge({ visitId: 'V1', at: '2026-03-02T14:30:00Z', ...o });
const diabetes = (o: Parameters<typeof aDiagnosis>[0] = {}) =>
  aDiagnosis({ diagnosisId: 'D1', at: '2026-03-01T10:30:00Z', code: 'E11.9', codeSystem: 'ICD_10', ...o });

describe('GP review after discharge', () => {
  test('a discharge opens a review due 7 days after it', () =>
    spec
      .given([])
      .when([discharged()])
      .then({
        tasks: [
          {
            taskId: 'gp-review-after-discharge:V1',
            nhsNumber: PATIENT_A,
            kind: 'gp-review-after-discharge',
            dueAt: '2026-03-09T14:30:00.000Z',
            status: 'open',
            causeId: 'V1',
            code: null,
            codeSystem: null,
            openedAt: '2026-03-02T14:30:00.000Z',
            closedAt: null,
            closedReason: null,
          },
        ],
      }));

  test('a cancellation closes the review', () =>
    spec
      .given([discharged()])
      .when([aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .then({
        tasks: [{ status: 'closed', closedAt: '2026-03-02T16:00:00.000Z', closedReason: 'discharge-cancelled' }],
      }));

  test('a cancellation that arrives before its discharge closes the review', () =>
    spec
      .given([aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .when([discharged()])
      .then({
        tasks: [{ taskId: 'gp-review-after-discharge:V1', status: 'closed', closedReason: 'discharge-cancelled' }],
      }));

  test('a cancellation alone opens nothing', () =>
    spec
      .given([])
      .when([aDischargeCancellation({ visitId: 'V1' })])
      .then({ tasks: [] }));

  test('a later discharge of the same visit moves the one review; after a cancellation it reopens it', () =>
    spec
      .given([discharged(), aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .when([discharged({ at: '2026-03-03T10:00:00Z' })])
      .then({
        tasks: [{ taskId: 'gp-review-after-discharge:V1', status: 'open', dueAt: '2026-03-10T10:00:00.000Z' }],
      }));

  test('due is 7 × 24 hours of UTC, also across the clock change', () =>
    spec
      .given([])
      .when([discharged({ at: '2026-03-25T09:00:00Z' })])
      .then({ tasks: [{ dueAt: '2026-04-01T09:00:00.000Z' }] }));

  test.each([
    { name: 'a transfer to another hospital (destination 51)', change: { dischargeDestination: '51' } },
    { name: 'an emergency attendance (PV1-2 E)', change: { encounterClass: 'E' } },
    { name: 'an ambulatory encounter (AMB)', change: { encounterClass: 'AMB' } },
  ])('$name opens no review', ({ change }) =>
    spec
      .given([])
      .when([discharged(change)])
      .then({ tasks: [] }),
  );
});

describe('a discharge recording death', () => {
  test.each([
    { name: 'method 4 (died)', change: { dischargeMethod: '4' } },
    { name: 'method 5 (stillbirth)', change: { dischargeMethod: '5' } },
    { name: 'destination 79', change: { dischargeDestination: '79' } },
  ])('$name opens no review and closes every open task', ({ change }) =>
    spec
      .given([discharged(), diabetes()])
      .when([discharged({ visitId: 'V2', at: '2026-03-05T08:00:00Z', ...change })])
      .then({
        tasks: [
          { causeId: 'V1', status: 'closed', closedReason: 'patient-died', closedAt: '2026-03-05T08:00:00.000Z' },
          { causeId: 'D1', status: 'closed', closedReason: 'patient-died', closedAt: '2026-03-05T08:00:00.000Z' },
        ],
      }),
  );

  test('a task closed for its own reason keeps that reason', () =>
    spec
      .given([discharged(), aDischargeCancellation({ visitId: 'V1', at: '2026-03-02T16:00:00Z' })])
      .when([discharged({ visitId: 'V2', at: '2026-03-05T08:00:00Z', dischargeMethod: '4' })])
      .then({ tasks: [{ causeId: 'V1', closedReason: 'discharge-cancelled' }] }));

  test('a cancelled death discharge closes nothing', () =>
    spec
      .given([discharged(), discharged({ visitId: 'V2', at: '2026-03-05T08:00:00Z', dischargeMethod: '4' })])
      .when([aDischargeCancellation({ visitId: 'V2', at: '2026-03-05T09:00:00Z' })])
      .then({ tasks: [{ causeId: 'V1', status: 'open' }] }));
});

describe('long-term condition review', () => {
  test('a confirmed LTC diagnosis opens a review due 30 days after it', () =>
    spec
      .given([])
      .when([diabetes()])
      .then({
        tasks: [
          {
            taskId: 'long-term-condition-review:D1',
            nhsNumber: PATIENT_A,
            kind: 'long-term-condition-review',
            dueAt: '2026-03-31T10:30:00.000Z',
            status: 'open',
            causeId: 'D1',
            code: 'E11.9',
            codeSystem: 'ICD-10',
            openedAt: '2026-03-01T10:30:00.000Z',
            closedAt: null,
            closedReason: null,
          },
        ],
      }));

  test.each([
    { name: 'a provisional LTC diagnosis', event: diabetes({ verificationStatus: 'PROVISIONAL' }) },
    { name: 'an LTC diagnosis with no verification status', event: diabetes({ verificationStatus: null }) },
    { name: 'a confirmed diagnosis off the list', event: diabetes({ code: '233604007', codeSystem: 'SNOMED_CT' }) },
  ])('$name opens no review', ({ event }) => spec.given([]).when([event]).then({ tasks: [] }));

  test('an amendment from one LTC code to another keeps the task and its due date', () =>
    spec
      .given([diabetes()])
      .when([
        aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T11:10:00Z', code: 'E11.2', codeSystem: 'ICD_10' }),
      ])
      .then({ tasks: [{ dueAt: '2026-03-31T10:30:00.000Z', status: 'open', code: 'E11.2' }] }));

  test('an amendment into an LTC code opens the review at the amendment time', () =>
    spec
      .given([
        aDiagnosis({ diagnosisId: 'D1', at: '2026-03-05T09:05:00Z', code: '714628002', codeSystem: 'SNOMED_CT' }),
      ])
      .when([
        aDiagnosisAmendment({
          diagnosisId: 'D1',
          at: '2026-03-06T09:15:00Z',
          code: '44054006',
          codeSystem: 'SNOMED_CT',
        }),
      ])
      .then({
        tasks: [
          {
            dueAt: '2026-04-05T09:15:00.000Z',
            openedAt: '2026-03-06T09:15:00.000Z',
            code: '44054006',
            codeSystem: 'SNOMED-CT',
          },
        ],
      }));

  test('an amendment to a code off the list closes the review', () =>
    spec
      .given([diabetes()])
      .when([
        aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T11:10:00Z', code: 'R73.0', codeSystem: 'ICD_10' }),
      ])
      .then({
        tasks: [
          {
            status: 'closed',
            closedAt: '2026-03-04T11:10:00.000Z',
            closedReason: 'code-not-in-ltc-list',
            code: 'R73.0',
          },
        ],
      }));

  test('amended off the list and back again, the review reopens with its first due date', () =>
    spec
      .given([
        diabetes(),
        aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-04T11:10:00Z', code: 'R73.0', codeSystem: 'ICD_10' }),
      ])
      .when([
        aDiagnosisAmendment({ diagnosisId: 'D1', at: '2026-03-08T11:10:00Z', code: 'E11.2', codeSystem: 'ICD_10' }),
      ])
      .then({ tasks: [{ status: 'open', dueAt: '2026-03-31T10:30:00.000Z' }] }));

  test('a retraction closes the review, which keeps the code it was about', () =>
    spec
      .given([diabetes()])
      .when([aDiagnosisRetraction({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z', code: null, codeSystem: null })])
      .then({
        tasks: [
          {
            status: 'closed',
            closedReason: 'cause-retracted',
            closedAt: '2026-03-04T10:00:00.000Z',
            code: 'E11.9',
            codeSystem: 'ICD-10',
          },
        ],
      }));

  test('a retraction that arrives before its diagnosis: the review exists, closed', () =>
    spec
      .given([aDiagnosisRetraction({ diagnosisId: 'D1', at: '2026-03-04T10:00:00Z' })])
      .when([diabetes()])
      .then({
        tasks: [
          { causeId: 'D1', status: 'closed', closedReason: 'cause-retracted', dueAt: '2026-03-31T10:30:00.000Z' },
        ],
      }));

  test.each([
    { name: 'refuted', change: { verificationStatus: 'REFUTED' as const }, reason: 'refuted' as const },
    {
      name: 'entered in error',
      change: { verificationStatus: 'ENTERED_IN_ERROR' as const },
      reason: 'cause-retracted' as const,
    },
    { name: 'resolved', change: { clinicalStatus: 'RESOLVED' as const }, reason: 'no-longer-active' as const },
    { name: 'provisional', change: { verificationStatus: 'PROVISIONAL' as const }, reason: 'not-confirmed' as const },
  ])('an amendment to $name closes the review', ({ change, reason }) =>
    spec
      .given([diabetes()])
      .when([
        aDiagnosisAmendment({
          diagnosisId: 'D1',
          at: '2026-03-04T10:00:00Z',
          code: 'E11.9',
          codeSystem: 'ICD_10',
          ...change,
        }),
      ])
      .then({ tasks: [{ status: 'closed', closedReason: reason, closedAt: '2026-03-04T10:00:00.000Z' }] }),
  );

  test('any coding on the list counts, in the system as sent', () =>
    spec
      .given([])
      .when([
        diabetes({
          code: '714628002',
          codeSystem: 'SNOMED_CT',
          codings: [
            { system: 'http://snomed.info/sct', code: '714628002', display: 'Prediabetes' },
            { system: 'I10', code: 'E11.9', display: null },
          ],
        }),
      ])
      .then({ tasks: [{ causeId: 'D1', status: 'open', code: '714628002' }] }));

  test('the LTC list is the one the view was made with', () =>
    projectionSpec(createCarePlanView({ snomedCt: [], icd10Prefixes: ['J45'] }))
      .given([])
      .when([diabetes(), aDiagnosis({ diagnosisId: 'D2', code: 'J45.9', codeSystem: 'ICD_10' })])
      .then({ tasks: [{ causeId: 'D2' }] }));

  test('medication events do not touch the care plan', () =>
    spec
      .given([diabetes()])
      .when([aMedicationOrder()])
      .then({ tasks: [{ causeId: 'D1', status: 'open' }] }));
});

describeFoldProperties(carePlanView);
