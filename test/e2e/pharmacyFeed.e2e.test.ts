/**
 * The pharmacy feed under concurrent senders: a few hundred patients' ORM^O01 messages (two or
 * three new orders in one message, later cancels and discontinues) sent over a dozen MLLP
 * connections, each patient's messages in order on one of them. A pharmacy pages the feed
 * while they arrive and after: it ends with exactly the active orders, at every page size,
 * and the GP view and the pharmacy view agree on which orders are active.
 */
import { describe, expect } from 'vitest';
import type { ApiClient } from '../support/apiClient.js';
import { sampleLines, withField } from '../support/hl7Lines.js';
import { msaOf, openMllp } from '../support/mllpClient.js';
import { serviceTest as test } from '../support/serviceUnderTest.js';
import { testNhsNumber } from '../support/viewWorkload.js';

const PATIENTS = 180;
const CONNECTIONS = 12;
const FOLLOW_EVERY = 25;

type Row = { readonly nhsNumber: string; readonly orderId: string; readonly status: string };
type Page = { readonly orders: readonly Row[]; readonly cursor: string };

const newOrder = sampleLines('hl7v2/orm_o01_new_order.hl7');
const cancel = sampleLines('hl7v2/orm_o01_cancel.hl7');
const discontinue = sampleLines('hl7v2/orm_o01_discontinue.hl7');

/** The ORC group (ORC, RXO, RXR) of a sample, for another order id. */
const orderGroup = (sample: readonly string[], orderId: string): readonly string[] =>
  withField(
    sample.filter((line) => /^(ORC|RXO|RXR)\|/.test(line)),
    'ORC-2',
    `${orderId}^EPR`,
  );

/** One ORM^O01 for a patient: the new order sample's MSH, PID and PV1, then one ORC group per order. */
function message(controlId: string, nhsNumber: string, groups: readonly (readonly string[])[]): Uint8Array {
  const header = withField(
    withField(
      newOrder.filter((line) => /^(MSH|PID|PV1)\|/.test(line)),
      'MSH-10',
      controlId,
    ),
    'PID-3',
    `${nhsNumber}^^^NHS^NH`,
  );
  return new TextEncoder().encode([...header, ...groups.flat()].map((line) => `${line}\r`).join(''));
}

type PatientPlan = { readonly nhsNumber: string; readonly messages: readonly Uint8Array[]; readonly active: string[] };

/** Per patient: one message of two or three new orders; then, for some, a cancel of the first, a discontinue of the second. */
function plan(i: number): PatientPlan {
  const nhsNumber = testNhsNumber(i);
  const ids = Array.from({ length: i % 3 === 0 ? 3 : 2 }, (_, n) => `FEED-${i}-${n + 1}`);
  const messages = [
    message(
      `FEED${i}A`,
      nhsNumber,
      ids.map((id) => orderGroup(newOrder, id)),
    ),
  ];
  const ended = new Set<string>();
  const [first = '', second = ''] = ids;
  if (i % 4 === 0) {
    messages.push(message(`FEED${i}B`, nhsNumber, [orderGroup(cancel, first)]));
    ended.add(first);
  }
  if (i % 5 === 0) {
    messages.push(message(`FEED${i}C`, nhsNumber, [orderGroup(discontinue, second)]));
    ended.add(second);
  }
  return { nhsNumber, messages, active: ids.filter((id) => !ended.has(id)) };
}

const key = (row: { readonly nhsNumber: string; readonly orderId: string }) => `${row.nhsNumber}/${row.orderId}`;

async function page(api: ApiClient, query: string): Promise<Page> {
  const response = await api.get(`/pharmacy/orders?${query}`);
  expect(response.status, response.text).toBe(200);
  return response.body as Page;
}

/** Every page from the start (or `cursor`) until an empty one; returns the rows and the cursor reached. */
async function readFeed(api: ApiClient, limit: number, status?: string, from?: string) {
  const rows: Row[] = [];
  let cursor = from;
  for (;;) {
    const params = new URLSearchParams({ limit: String(limit) });
    if (status !== undefined) params.set('status', status);
    if (cursor !== undefined) params.set('since', cursor);
    const { orders, cursor: next } = await page(api, params.toString());
    cursor = next;
    if (orders.length === 0) return { rows, cursor };
    rows.push(...orders);
  }
}

describe('the pharmacy feed under concurrent senders', () => {
  test('lists exactly the active orders at every page size, and the views agree', async ({ service }) => {
    const api = service.api;
    const patients = Array.from({ length: PATIENTS }, (_, i) => plan(i));
    const expectedActive = patients.flatMap((p) => p.active.map((orderId) => `${p.nhsNumber}/${orderId}`)).sort();
    const orderCount = patients.reduce((n, p) => n + p.active.length, 0);
    expect(orderCount).toBe(expectedActive.length);

    // A pharmacy following the whole feed (every status) while the messages arrive.
    const following = new Map<string, string>();
    const repeated: string[] = [];
    let followCursor: string | undefined;
    const follow = async () => {
      const { rows, cursor } = await readFeed(api, 37, undefined, followCursor);
      followCursor = cursor;
      for (const row of rows) {
        const content = JSON.stringify(row);
        if (following.get(key(row)) === content) repeated.push(key(row));
        following.set(key(row), content);
      }
    };
    const acks: string[] = [];
    // It reads on (to the end of the feed) after every FOLLOW_EVERY acknowledgements, one read at a time.
    let reading = Promise.resolve();
    let pending = false;
    const acknowledged = () => {
      if (acks.length % FOLLOW_EVERY !== 0 || pending) return;
      pending = true;
      reading = reading.then(async () => {
        pending = false;
        await follow();
      });
    };

    // Each connection takes every CONNECTIONS-th patient and sends their messages in turn:
    // first messages of all its patients, then the second ones, so patients interleave.
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, c) => {
        const mine = patients.filter((_, i) => i % CONNECTIONS === c);
        const client = await openMllp(service.mllpPort);
        try {
          for (let round = 0; mine.some((p) => p.messages.length > round); round += 1) {
            for (const patient of mine) {
              const bytes = patient.messages[round];
              if (bytes === undefined) continue;
              acks.push(msaOf(await client.send(bytes)).code);
              acknowledged();
            }
          }
        } finally {
          client.close();
        }
      }),
    );
    expect(acks.filter((code) => code !== 'AA')).toEqual([]);
    await service.ingest.idle();
    await expect
      .poll(async () => (await api.get('/health')).body, { timeout: 30_000, interval: 200 })
      .toMatchObject({ viewLag: { 'gp-view': 0, 'pharmacy-view': 0 } });
    await reading;
    await follow();

    // The follower's last read of each order is the order as it stands.
    expect(repeated, 'rows sent again unchanged').toEqual([]);
    const followedActive = [...following]
      .filter(([, content]) => (JSON.parse(content) as Row).status === 'active')
      .map(([k]) => k)
      .sort();
    expect(followedActive).toEqual(expectedActive);

    // A pharmacy starting now, paging the active orders at several page sizes.
    for (const limit of [1000, 500, 7]) {
      const { rows } = await readFeed(api, limit, 'active');
      const keys = rows.map(key);
      expect(keys.length - new Set(keys).size, `duplicates at ${limit} a page`).toBe(0);
      expect(keys.sort(), `${limit} a page`).toEqual(expectedActive);
    }

    // The GP view and the patient's pharmacy record agree on what is active.
    const disagreements: string[] = [];
    for (const patient of patients) {
      const response = await api.get(`/patients/${patient.nhsNumber}/medications`);
      const body = response.body as { currentMedications: { orderId: string }[]; orders: Row[] };
      const gp = body.currentMedications.map((m) => m.orderId).sort();
      const pharmacy = body.orders
        .filter((o) => o.status === 'active')
        .map((o) => o.orderId)
        .sort();
      const expected = [...patient.active].sort();
      if (JSON.stringify(gp) !== JSON.stringify(expected) || JSON.stringify(pharmacy) !== JSON.stringify(expected))
        disagreements.push(`${patient.nhsNumber}: gp ${gp.join(',')} pharmacy ${pharmacy.join(',')}`);
    }
    expect(disagreements).toEqual([]);
  });
});
