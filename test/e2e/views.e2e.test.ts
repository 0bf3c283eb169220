/**
 * The sample timeline, delivered in order over MLLP and HTTP, produces exactly the views in
 * expected-views.json, read through the API — the GP summary of each patient, the pharmacy's
 * active orders and the care-plan tasks. Lists are compared as sets, on the fields the
 * expected file names. A view held by a rebuild shows in /health, and its new events wait
 * until the hold is lifted. A view ahead of its log (the topic recreated, the database kept)
 * is not started and /health says why, while the adapters and the other views go on; a
 * database whose dedup records describe a longer log does not start ingest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { holdStoredOffsets, readStoredOffsets, releaseStoredOffsets } from '../../consumers/storedOffsets.js';
import { createPool } from '../../platform/postgres.js';
import { runMigrations } from '../../platform/runMigrations.js';
import { topicNames } from '../../schemas/topics.js';
import { SAMPLES_DIR } from '../support/samples.js';
import { deliverSample, startServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';
import { uniqueName } from '../support/uniqueName.js';

type Row = Record<string, unknown>;
type ExpectedViews = {
  patients: Record<string, { gp: { discharges: Row[]; activeProblems: Row[]; currentMedications: Row[] } }>;
  pharmacy: { activeOrders: Row[] };
  carePlan: { tasks: Row[] };
};

const expected = JSON.parse(
  readFileSync(join(SAMPLES_DIR, 'timeline', 'expected-views.json'), 'utf8'),
) as ExpectedViews;
const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { file: string });

/** The rows projected onto the keys the expected rows name, as a sorted list of JSON strings. */
function asSet(rows: readonly Row[], like: readonly Row[]): string[] {
  const keys = [...new Set(like.flatMap((r) => Object.keys(r)))].sort();
  // Times are compared as instants: 14:30:00Z and 14:30:00.000Z are the same.
  const value = (v: unknown) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v).toISOString() : (v ?? null);
  return rows.map((r) => JSON.stringify(Object.fromEntries(keys.map((k) => [k, value(r[k])])))).sort();
}
const expectedSet = (rows: readonly Row[]) => asSet(rows, rows);

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetchWithRole(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the views through the API', () => {
  test('the timeline produces exactly expected-views.json', async ({ service }) => {
    for (const line of timeline) await deliverSample(service, line.file);
    await service.ingest.idle();
    await expect
      .poll(async () => (await get(`${service.httpUrl}/health`)).body, { timeout: 30_000, interval: 200 })
      .toMatchObject({ viewLag: { 'gp-view': 0, 'pharmacy-view': 0, 'care-plan-view': 0 } });

    for (const [nhs, patient] of Object.entries(expected.patients)) {
      const { status, body } = await get(`${service.httpUrl}/patients/${nhs}/gp-summary`);
      expect(status).toBe(200);
      for (const list of ['discharges', 'activeProblems', 'currentMedications'] as const) {
        expect(asSet(body[list] as Row[], patient.gp[list]), `${nhs} ${list}`).toEqual(expectedSet(patient.gp[list]));
      }
    }

    const orders = await get(`${service.httpUrl}/pharmacy/orders?status=active`);
    expect(asSet(orders.body.orders as Row[], expected.pharmacy.activeOrders)).toEqual(
      expectedSet(expected.pharmacy.activeOrders),
    );

    const tasks = await get(`${service.httpUrl}/care-plan/tasks?dueBefore=2100-01-01T00:00:00Z`);
    expect(asSet(tasks.body.tasks as Row[], expected.carePlan.tasks)).toEqual(expectedSet(expected.carePlan.tasks));
  });

  test('a view held by a rebuild shows in /health; its new events wait until the hold is lifted, then apply', async ({
    service,
    databaseUrl,
  }) => {
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const topics = await pool.query<{ topic: string }>(
        "SELECT DISTINCT topic FROM view_stored_offsets WHERE view = 'gp-view'",
      );
      const topic = topics.rows[0]?.topic;
      if (topic === undefined) throw new Error('the running views have stored offsets');
      const health = async () => (await get(`${service.httpUrl}/health`)).body;
      expect(await health()).toMatchObject({ viewsHeld: {} });

      await holdStoredOffsets(pool, ['gp-view'], topic, await readStoredOffsets(pool, 'gp-view', topic), 60_000);
      const [line] = timeline;
      if (line === undefined) throw new Error('the timeline has lines');
      await deliverSample(service, line.file);
      await service.ingest.idle();
      // The other views apply the new events; the held one does not.
      await expect
        .poll(async () => (await health()).viewLag, { timeout: 30_000, interval: 200 })
        .toMatchObject({ 'pharmacy-view': 0, 'care-plan-view': 0 });
      const held = await health();
      expect((held.viewLag as Record<string, number>)['gp-view']).toBeGreaterThan(0);
      expect(Object.keys(held.viewsHeld as object)).toEqual(['gp-view']);

      await releaseStoredOffsets(pool, ['gp-view'], topic);
      await expect
        .poll(health, { timeout: 30_000, interval: 200 })
        .toMatchObject({ viewLag: { 'gp-view': 0 }, viewsHeld: {} });
    } finally {
      await pool.end();
    }
  });

  test('a view ahead of its log is not started and /health says why; the adapters and other views go on; once fixed it starts by itself', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const namespace = uniqueName('recreated');
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      // The GP view applied 100 records per partition of a log since recreated (empty now).
      await pool.query(
        `INSERT INTO view_stored_offsets (view, topic, partition, next_offset)
         SELECT 'gp-view', $1::text, p, 100 FROM generate_series(0, 2) AS p`,
        [topicNames(namespace).canonical],
      );
    } finally {
      await pool.end();
    }
    const service = await startServiceUnderTest(
      { databaseUrl, registryUrl, kafkaBrokers },
      { TOPIC_NAMESPACE: namespace },
    );
    try {
      const health = await get(`${service.httpUrl}/health`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'degraded', checks: { views: 'down', mllp: 'up', kafka: 'up' } });
      const why = (health.body.viewsNotRunning as Record<string, string>)['gp-view'];
      expect(why).toMatch(/applied up to offset 100 of .*clinical-events\[\d\], but the log ends at 0/);
      expect(why).toContain('npm run replay -- rebuild gp-view');
      expect(Object.keys(health.body.viewsNotRunning as object)).toEqual(['gp-view']);

      const [line] = timeline;
      if (line === undefined) throw new Error('the timeline has lines');
      expect((await deliverSample(service, line.file)).ack).toBe('AA');
      await service.ingest.idle();
      await expect
        .poll(async () => (await get(`${service.httpUrl}/health`)).body.viewLag, { timeout: 30_000, interval: 200 })
        .toMatchObject({ 'pharmacy-view': 0, 'care-plan-view': 0 });

      // Once it no longer is ahead of its log (here set back by hand; a rebuild swaps in a
      // version at this log's offsets), it starts by itself and catches up.
      const fix = createPool(databaseUrl, { max: 1 });
      await fix.query("UPDATE view_stored_offsets SET next_offset = 0 WHERE view = 'gp-view'").finally(() => fix.end());
      await expect
        .poll(async () => (await get(`${service.httpUrl}/health`)).body, { timeout: 30_000, interval: 500 })
        .toMatchObject({ status: 'up', checks: { views: 'up' }, viewLag: { 'gp-view': 0 } });
      expect((await get(`${service.httpUrl}/health`)).body.viewsNotRunning).toBeUndefined();
    } finally {
      await service.close();
    }
  });

  test('a database whose dedup records describe a longer log: ingest does not start, naming both ways out', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      // Three events published to a log since recreated (or another namespace's log).
      await pool.query(
        `INSERT INTO ingest_published_events (dedup_key, event_id, event_type, correlation_id)
         SELECT 'old|' || n, gen_random_uuid(), 'DischargeRecorded', 'c' FROM generate_series(1, 3) AS n`,
      );
    } finally {
      await pool.end();
    }
    const start = startServiceUnderTest({ databaseUrl, registryUrl, kafkaBrokers });
    await expect(start).rejects.toThrow(/records 3 events as published, but .*clinical-events holds 0 records/);
    await expect(start).rejects.toThrow(/Point TOPIC_NAMESPACE .* or start the new log with a new database/);
  });

  test('an invalid NHS number is a 400, an unknown patient a 404, and the OpenAPI document is served', async ({
    service,
  }) => {
    expect((await get(`${service.httpUrl}/patients/9991000217/gp-summary`)).status).toBe(400);
    expect((await get(`${service.httpUrl}/patients/9994000535/gp-summary`)).status).toBe(404);
    expect((await get(`${service.httpUrl}/care-plan/tasks?dueBefore=yesterday`)).status).toBe(400);
    const openapi = await get(`${service.httpUrl}/openapi.json`);
    expect(Object.keys(openapi.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/patients/{nhs}/gp-summary',
        '/pharmacy/orders',
        '/care-plan/tasks',
        '/events',
        '/health',
      ]),
    );
  });
});
