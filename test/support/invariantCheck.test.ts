/**
 * The fuzz suite's checker, on canned answers: it must name each way an answer and the
 * stack's state can disagree (a checker that cannot fail proves nothing). The API and the
 * log's tail are in-memory fakes.
 */
import { describe, expect, test } from 'vitest';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import type { ApiClient, ApiResponse } from './apiClient.js';
import { aMedicationOrder } from './eventBuilders.js';
import type { Delivery } from './hostileInputs.js';
import { type Answer, type CanonicalTail, checkDelivery } from './invariantCheck.js';

const NHS = '9990000018';

const delivery = (expect: Partial<Delivery['expect']> = {}): Delivery => ({
  channel: 'http',
  label: 'json-medication',
  path: '/events',
  body: new Uint8Array(),
  headers: {},
  expect: {
    nhsNumber: NHS,
    markerPrefix: 'FZ1aX',
    marker: 'FZ1aX',
    eventType: 'MedicationOrdered',
    views: ['gp-medication', 'pharmacy-order'],
    display: 'Med one',
    ...expect,
  },
});

const order = aMedicationOrder({
  nhsNumber: NHS,
  orderId: 'FZ1aX',
  medication: { ...aMedicationOrder().medication, display: 'Med one' },
});

const tailOf = (events: readonly ClinicalEvent[]): CanonicalTail => ({
  eventsOf: (nhs) => events.filter((e) => e.patient.nhsNumber === nhs),
  catchUp: async () => undefined,
  close: async () => undefined,
});

type State = {
  readonly gpMedications?: readonly object[];
  readonly pharmacyOrders?: readonly object[];
  readonly audit?: readonly object[];
  readonly verify?: object;
};

function fakeApi(state: State): ApiClient {
  const reply = (status: number, body: unknown): ApiResponse => ({
    status,
    headers: new Headers(),
    body,
    text: JSON.stringify(body),
  });
  const get = async (path: string) => {
    if (path.endsWith('/gp-summary'))
      return reply(200, { discharges: [], activeProblems: [], currentMedications: state.gpMedications ?? [] });
    if (path.endsWith('/medications'))
      return reply(200, { currentMedications: [], orders: state.pharmacyOrders ?? [] });
    if (path.endsWith('/care-plan')) return reply(200, { tasks: [] });
    if (path.startsWith('/audit/events')) return reply(200, { events: state.audit ?? [], cursor: null });
    if (path.endsWith('/verify')) return reply(200, state.verify ?? { ok: true, entries: 1 });
    return reply(404, {});
  };
  return {
    baseUrl: 'fake',
    get,
    request: async (_method, path) => get(path),
    post: async (path) => get(path),
    as: () => fakeApi(state),
  };
}

const accepted: Answer = { kind: 'accepted', detail: 'HTTP 201' };
const refused: Answer = { kind: 'refused', detail: 'HTTP 400' };
const shownEverywhere: State = {
  gpMedications: [{ orderId: 'FZ1aX', display: 'Med one', eventIds: [order.eventId] }],
  pharmacyOrders: [{ orderId: 'FZ1aX', display: 'Med one', status: 'active', eventIds: [order.eventId] }],
  audit: [{ eventId: order.eventId, payload: { orderId: 'FZ1aX' } }],
};

const kindsOf = async (d: Delivery, answer: Answer, events: readonly ClinicalEvent[], state: State) =>
  (await checkDelivery(d, answer, tailOf(events), fakeApi(state))).map((v) => v.kind);

describe('the fuzz invariant checker', () => {
  test('an accepted input on the log, in its views and in the audit index keeps the invariant', async () => {
    expect(await kindsOf(delivery(), accepted, [order], shownEverywhere)).toEqual([]);
  });

  test('a refused input with nothing anywhere keeps the invariant', async () => {
    expect(await kindsOf(delivery(), refused, [], {})).toEqual([]);
  });

  test.each([
    {
      name: 'accepted, then dead-lettered by a view and the audit index',
      answer: accepted,
      events: [order],
      state: { gpMedications: shownEverywhere.gpMedications ?? [], verify: { ok: true, entries: 0 } },
      kinds: [
        'accepted-missing-from-pharmacy-order',
        'accepted-missing-from-audit-index',
        'audit-verify-ok-with-missing-entries',
      ],
    },
    {
      name: 'accepted as a duplicate while its content was never stored',
      answer: accepted,
      events: [],
      state: {},
      kinds: ['accepted-not-on-log'],
    },
    {
      name: 'refused, yet published and shown',
      answer: refused,
      events: [order],
      state: shownEverywhere,
      kinds: ['refused-but-on-log', 'refused-but-in-view', 'refused-but-in-audit-index'],
    },
    {
      name: 'accepted with its text changed on the way in',
      answer: accepted,
      events: [{ ...order, medication: { ...order.medication, display: 'Med on\ufffd' } }],
      state: {
        ...shownEverywhere,
        gpMedications: [{ orderId: 'FZ1aX', display: 'Med on\ufffd' }],
        pharmacyOrders: [{ orderId: 'FZ1aX', display: 'Med on\ufffd' }],
      },
      kinds: ['accepted-text-changed', 'view-text-changed', 'view-text-changed'],
    },
    {
      name: 'a 5xx',
      answer: { kind: 'violation', detail: 'HTTP 500: internal' } as Answer,
      events: [],
      state: {},
      kinds: ['answered-5xx'],
    },
    {
      name: 'no answer in time',
      answer: { kind: 'violation', detail: 'no answer: no answer within 20000 ms' } as Answer,
      events: [],
      state: {},
      kinds: ['hang'],
    },
  ])('$name is reported', async ({ answer, events, state, kinds }) => {
    expect(await kindsOf(delivery(), answer, events, state)).toEqual(kinds);
  });

  test('an accepted instant that names no instant, or text with no faithful form, is reported', async () => {
    const d = delivery({ occurredAt: undefined, display: undefined });
    expect(await kindsOf(d, accepted, [order], shownEverywhere)).toEqual([
      'accepted-unrepresentable-text',
      'accepted-impossible-instant',
    ]);
  });
});
