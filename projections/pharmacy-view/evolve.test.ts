import { describe, test } from 'vitest';
import {
  aDiagnosis,
  aDischarge,
  aMedicationCancellation,
  aMedicationDiscontinuation,
  aMedicationOrder,
  PATIENT_A,
} from '../../test/support/eventBuilders.js';
import { describeFoldProperties } from '../../test/support/projectionProperties.js';
import { projectionSpec } from '../../test/support/projectionSpec.js';
import { pharmacyView } from './pharmacyView.js';

const spec = projectionSpec(pharmacyView);

const ordered = (o: Parameters<typeof aMedicationOrder>[0] = {}) =>
  aMedicationOrder({ orderId: 'O1', at: '2026-03-03T09:30:00Z', recordedAt: '2026-03-03T09:52:30Z', ...o });

describe('order status', () => {
  test('an order on its own is active, with what was ordered', () => {
    const order = ordered();
    spec
      .given([])
      .when([order])
      .then({
        orders: [
          {
            nhsNumber: PATIENT_A,
            orderId: 'O1',
            status: 'active',
            code: '39732311000001104',
            display: 'Amoxicillin 500mg capsules',
            dose: '500',
            doseUnit: 'mg',
            route: 'PO',
            frequency: 'TDS',
            prescriber: 'C9999002',
            orderedAt: '2026-03-03T09:30:00.000Z',
            endedAt: null,
            reason: null,
            eventIds: [order.eventId],
            lastEventAt: '2026-03-03T09:52:30.000Z',
          },
        ],
      });
  });

  test('a cancel ends the order: cancelled, when, why, and both events', () => {
    const order = ordered();
    const cancel = aMedicationCancellation({
      orderId: 'O1',
      at: '2026-03-03T09:40:00Z',
      recordedAt: '2026-03-03T09:40:10Z',
      reason: 'Prescribed in error',
    });
    spec
      .given([order])
      .when([cancel])
      .then({
        orders: [
          {
            orderId: 'O1',
            status: 'cancelled',
            code: '39732311000001104',
            orderedAt: '2026-03-03T09:30:00.000Z',
            endedAt: '2026-03-03T09:40:00.000Z',
            reason: 'Prescribed in error',
            eventIds: [order.eventId, cancel.eventId].sort(),
            lastEventAt: '2026-03-03T09:52:30.000Z',
          },
        ],
      });
  });

  test('a cancel that arrives before its order leaves no active order', () =>
    spec
      .given([
        aMedicationCancellation({ orderId: 'O1', at: '2026-03-03T09:40:00Z', recordedAt: '2026-03-03T09:40:10Z' }),
      ])
      .when([ordered()])
      .then({ orders: [{ orderId: 'O1', status: 'cancelled', orderedAt: '2026-03-03T09:30:00.000Z' }] }));

  test('a discontinue before its order: the order is born discontinued at the discontinue time', () =>
    spec
      .given([aMedicationDiscontinuation({ orderId: 'O1', at: '2026-03-04T11:00:00Z', reason: 'Rash' })])
      .when([ordered()])
      .then({ orders: [{ status: 'discontinued', endedAt: '2026-03-04T11:00:00.000Z', reason: 'Rash' }] }));

  test('an order seen only through its cancel is cancelled, showing what the cancel said', () =>
    spec
      .given([])
      .when([
        aMedicationCancellation({ orderId: 'O1', at: '2026-03-06T15:10:00Z', medication: null, prescriber: 'G1' }),
      ])
      .then({
        orders: [
          {
            orderId: 'O1',
            status: 'cancelled',
            code: null,
            prescriber: 'G1',
            orderedAt: null,
            endedAt: '2026-03-06T15:10:00.000Z',
          },
        ],
      }));

  test('an order seen only through its discontinue shows the medicine the discontinue named', () =>
    spec
      .given([])
      .when([aMedicationDiscontinuation({ orderId: 'O1' })])
      .then({ orders: [{ status: 'discontinued', code: '39732311000001104', dose: '500' }] }));

  test('the first end in clinical time decides: a cancel then a discontinue stays cancelled', () =>
    spec
      .given([ordered()])
      .when([
        aMedicationDiscontinuation({ orderId: 'O1', at: '2026-03-05T10:00:00Z', reason: 'later' }),
        aMedicationCancellation({ orderId: 'O1', at: '2026-03-03T09:40:00Z', reason: 'first' }),
      ])
      .then({ orders: [{ status: 'cancelled', endedAt: '2026-03-03T09:40:00.000Z', reason: 'first' }] }));

  test('an order sent again with a change shows the later version', () =>
    spec
      .given([ordered({ prescriber: 'P1' })])
      .when([ordered({ at: '2026-03-03T10:00:00Z', prescriber: 'P2' })])
      .then({ orders: [{ status: 'active', prescriber: 'P2', orderedAt: '2026-03-03T10:00:00.000Z' }] }));
});

describe('orders and the feed', () => {
  test('lastEventAt is the latest recordedAt among the order events, whatever their clinical times', () =>
    spec
      .given([ordered({ recordedAt: '2026-03-03T09:52:30Z' })])
      .when([
        aMedicationCancellation({ orderId: 'O1', at: '2026-03-03T09:40:00Z', recordedAt: '2026-03-03T09:40:10Z' }),
      ])
      .then({ orders: [{ lastEventAt: '2026-03-03T09:52:30.000Z' }] }));

  test('each order id is its own line, in order time', () =>
    spec
      .given([ordered({ orderId: 'O2', at: '2026-03-04T09:00:00Z' }), ordered({ orderId: 'O1' })])
      .when([aMedicationCancellation({ orderId: 'O3', at: '2026-03-02T09:00:00Z' })])
      .then({
        orders: [
          { orderId: 'O3', status: 'cancelled' },
          { orderId: 'O1', status: 'active' },
          { orderId: 'O2', status: 'active' },
        ],
      }));

  test('discharges and diagnoses do not touch the pharmacy view', () =>
    spec
      .given([ordered()])
      .when([aDischarge(), aDiagnosis()])
      .then({ orders: [{ orderId: 'O1', status: 'active' }] }));
});

describeFoldProperties(pharmacyView);
