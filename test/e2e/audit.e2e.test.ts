/**
 * The audit index end to end: the sample timeline delivered over MLLP and HTTP is indexed
 * record for record (with the raw source messages), found by each filter, paged exactly once
 * while new events arrive, and a row altered in PostgreSQL breaks its patient's chain at
 * exactly that row, through the API and the verify tool; an anchor taken earlier shows a chain
 * cut short with its head rewritten to match.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { createKafkaClient } from '../../platform/kafka.js';
import { chainPatients } from '../../projections/audit-index/queries.js';
import { verifyPatientChain } from '../../projections/audit-index/verifyPatientChain.js';
import { registryTest } from '../../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames } from '../../schemas/topics.js';
import { sampleBytes } from '../support/samples.js';
import {
  deliverSample,
  readCanonicalEvents,
  type ServiceUnderTest,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { kafkaConnectionFor } from '../support/testKafka.js';
import { timelineLines } from '../support/timelineEvents.js';
import { fetchWithRole } from '../support/tokens.js';
import { caughtUp, openViewLog, produce, startViewWorker, stopChild } from '../support/viewLog.js';
import { workload } from '../support/viewWorkload.js';

const repoRoot = new URL('../../', import.meta.url).pathname;

type Row = {
  eventId: string;
  type: string;
  nhsNumber: string;
  occurredAt: string;
  correlationId: string;
  source: { channel: string; system: string; messageId: string; receiptId: string | null };
  partition: number;
  offset: string;
  chainSeq: number;
};
type Page = { events: Row[]; cursor: string | null };

async function get<T = Record<string, unknown>>(service: ServiceUnderTest, path: string) {
  const response = await fetchWithRole(`${service.httpUrl}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as T };
}

/** Waits until the views and both audit indexes have applied everything on their topics. */
async function waitForZeroLag(service: ServiceUnderTest): Promise<void> {
  await service.ingest.idle();
  await expect
    .poll(async () => (await get(service, '/health')).body.viewLag, { timeout: 30_000, interval: 200 })
    .toEqual({
      'gp-view': 0,
      'pharmacy-view': 0,
      'care-plan-view': 0,
      'audit-index': 0,
      'audit-receipts': 0,
      'access-log': 0,
    });
}

async function deliverTimeline(service: ServiceUnderTest): Promise<void> {
  for (const line of timelineLines()) await deliverSample(service, line.file);
  await waitForZeroLag(service);
}

async function endOffsets(service: ServiceUnderTest): Promise<number> {
  const admin = createKafkaClient({
    ...(await kafkaConnectionFor(service.brokers)).connection,
    clientId: 'audit-e2e',
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicNames(service.namespace).canonical);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const query = (params: Record<string, string>) => `/audit/events?${new URLSearchParams(params).toString()}`;
const countBy = <T>(items: readonly T[], key: (item: T) => string) =>
  items.reduce((m, i) => m.set(key(i), (m.get(key(i)) ?? 0) + 1), new Map<string, number>());

/** Where the tool's stack is: a service under test's brokers (and how to log in), registry and topic namespace. */
type ToolStack = Pick<ServiceUnderTest, 'brokers' | 'registryUrl' | 'namespace' | 'kafkaEnv'>;

/** The audit tool run as an operator would, against the service's database. */
function runAuditTool(
  service: ToolStack,
  databaseUrl: URL,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/auditCli.ts', ...args], {
    cwd: repoRoot,
    // The service's stack too: the tool writes its access record to the service's access log.
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      ...service.kafkaEnv,
      SCHEMA_REGISTRY_URL: service.registryUrl,
      TOPIC_NAMESPACE: service.namespace,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const runVerifyTool = (service: ToolStack, databaseUrl: URL, args: readonly string[]) =>
  runAuditTool(service, databaseUrl, ['verify', ...args]);

describe('the audit index', () => {
  test('indexes every record once, with its raw source message, and finds it by each filter', async ({ service }) => {
    await deliverTimeline(service);
    const canonical = await readCanonicalEvents(service);

    // (a) One row per record on the canonical topic.
    const patients = [...new Set(canonical.map((e) => e.patient.nhsNumber))];
    const indexed: Row[] = [];
    for (const nhs of patients) {
      const page = await get<Page>(service, query({ patient: nhs, limit: '1000' }));
      expect(page.status).toBe(200);
      indexed.push(...page.body.events);
    }
    expect(indexed).toHaveLength(await endOffsets(service));
    expect(new Set(indexed.map((r) => `${r.partition}/${r.offset}`)).size).toBe(indexed.length);
    expect(countBy(indexed, (r) => r.eventId)).toEqual(countBy(canonical, (e) => e.eventId));

    // (b) An event's raw source message, exactly as sent: HL7 over MLLP and a FHIR resource over HTTP.
    const samples: { file: string; of: (e: ClinicalEvent) => boolean }[] = [
      {
        file: 'hl7v2/adt_a03_discharge.hl7',
        of: (e) => e.type === 'PatientDischarged' && e.source.messageId === '100187',
      },
      {
        file: 'fhir/condition_confirmed.json',
        of: (e) => e.type === 'DiagnosisRecorded' && e.diagnosisId === 'gp-cond-b2-0417',
      },
    ];
    for (const { file, of } of samples) {
      const event = canonical.find(of) as ClinicalEvent;
      const detail = await get<{ eventId: string; records: (Row & { receipt: Record<string, unknown> | null })[] }>(
        service,
        `/audit/events/${event.eventId}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body.records).toHaveLength(1);
      const receipt = detail.body.records[0]?.receipt;
      expect(receipt).toMatchObject({
        receiptId: event.source.receiptId,
        correlationId: event.correlationId,
        payloadEncoding: 'utf8',
        payload: Buffer.from(sampleBytes(file)).toString('utf8'),
      });
    }

    // (c) Each filter returns exactly the matching records.
    // An HL7 event of message 100234, so every filter below, alone or combined, has matches.
    const one = canonical.find((e) => e.source.channel === 'HL7V2' && e.source.messageId === '100234') as ClinicalEvent;
    const cases: { params: Record<string, string>; matches: (e: ClinicalEvent) => boolean }[] = [
      { params: { patient: one.patient.nhsNumber }, matches: (e) => e.patient.nhsNumber === one.patient.nhsNumber },
      {
        params: { type: 'MedicationOrdered', from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' },
        matches: (e) => e.type === 'MedicationOrdered',
      },
      { params: { correlationId: one.correlationId }, matches: (e) => e.correlationId === one.correlationId },
      { params: { sourceMessageId: '100234' }, matches: (e) => e.source.messageId === '100234' },
      {
        params: { sourceMessageId: '100234', patient: one.patient.nhsNumber },
        matches: (e) => e.source.messageId === '100234' && e.patient.nhsNumber === one.patient.nhsNumber,
      },
    ];
    for (const { params, matches } of cases) {
      const page = await get<Page>(service, query({ ...params, limit: '1000' }));
      expect(page.status, JSON.stringify(params)).toBe(200);
      const expected = canonical.filter(matches).map((e) => e.eventId);
      expect(expected.length, JSON.stringify(params)).toBeGreaterThan(0);
      expect(page.body.events.map((r) => r.eventId).sort(), JSON.stringify(params)).toEqual(expected.sort());
      const positions = page.body.events.map((r) => [r.partition, BigInt(r.offset)] as const);
      expect(positions, 'in log order').toEqual(
        [...positions].sort(([p1, o1], [p2, o2]) => p1 - p2 || (o1 < o2 ? -1 : o1 > o2 ? 1 : 0)),
      );
    }
    // Two senders used MSH-10 100234: the filter finds both systems' events.
    const both = await get<Page>(service, query({ sourceMessageId: '100234' }));
    expect(new Set(both.body.events.map((r) => r.source.system)).size).toBe(2);

    // The timeline: clinical-time order, paged, each event once.
    const timeline: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Page } = await get<Page>(
        service,
        `/audit/patients/${one.patient.nhsNumber}/timeline?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.status).toBe(200);
      timeline.push(...page.body.events);
      if (page.body.events.length < 2) break;
      cursor = page.body.cursor;
    } while (cursor !== null);
    expect(timeline.map((r) => r.eventId).sort()).toEqual(
      canonical
        .filter((e) => e.patient.nhsNumber === one.patient.nhsNumber)
        .map((e) => e.eventId)
        .sort(),
    );
    const times = timeline.map((r) => Date.parse(r.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test('pages return every event exactly once while new events arrive', async ({ service }) => {
    await deliverTimeline(service);
    const patients = [...new Set((await readCanonicalEvents(service)).map((e) => e.patient.nhsNumber))];
    let sent = 0;
    /** A new JSON event for one of the known patients (so it lands on any partition). */
    async function deliverNewEvent(): Promise<void> {
      sent += 1;
      const body = {
        type: 'DiagnosisRecorded',
        nhsNumber: patients[sent % patients.length],
        occurredAt: `2026-03-${String(10 + (sent % 18)).padStart(2, '0')}T10:00:00Z`,
        idempotencyKey: randomUUID(),
        data: {
          diagnosisId: `AUDIT-DX-${sent}`,
          code: '84114007',
          codeSystem: 'SNOMED-CT',
          verificationStatus: 'confirmed',
        },
      };
      const response = await fetchWithRole(`${service.httpUrl}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': body.idempotencyKey },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.text()).toBeLessThan(300);
    }

    const range = { from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' };
    const seen: Row[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page += 1) {
      const params: Record<string, string> = { ...range, limit: '3', ...(cursor === null ? {} : { cursor }) };
      const response: { status: number; body: Page } = await get<Page>(service, query(params));
      expect(response.status).toBe(200);
      seen.push(...response.body.events);
      cursor = response.body.cursor;
      if (response.body.events.length === 0 && sent >= 12) break;
      if (sent < 12) {
        await deliverNewEvent();
        await deliverNewEvent();
        // Every other page waits for the index, so some new events are certainly there to be paged.
        if (page % 2 === 0) await waitForZeroLag(service);
      }
    }
    expect(sent).toBe(12);
    await waitForZeroLag(service);

    // Per partition, the pages hold every indexed event up to the last offset they reached, once.
    const key = (r: Row) => `${r.partition}/${r.offset}`;
    expect(new Set(seen.map(key)).size).toBe(seen.length);
    const lastSeen = new Map<number, bigint>();
    for (const r of seen) lastSeen.set(r.partition, BigInt(r.offset));
    const all: Row[] = [];
    for (let after: string | null = null; ; ) {
      const params: Record<string, string> = { ...range, limit: '1000', ...(after === null ? {} : { cursor: after }) };
      const response: { body: Page } = await get<Page>(service, query(params));
      all.push(...response.body.events);
      if (response.body.events.length < 1000) break;
      after = response.body.cursor;
    }
    const expected = all.filter((r) => BigInt(r.offset) <= (lastSeen.get(r.partition) ?? -1n)).map(key);
    expect(seen.map(key).sort()).toEqual(expected.sort());
    // New events were paged, not only the ones there at the start.
    expect(seen.filter((r) => r.source.channel === 'JSON' && r.type === 'DiagnosisRecorded').length).toBeGreaterThan(0);
    expect(lastSeen.size).toBeGreaterThan(1);
  });

  test('a row altered in PostgreSQL breaks its chain at exactly that row', async ({ service, databaseUrl }) => {
    await deliverTimeline(service);
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      const chains = await db.query<{ nhs: string; n: number }>(
        'SELECT nhs_number::text AS nhs, count(*)::int AS n FROM audit_events GROUP BY 1 ORDER BY 2 DESC, 1',
      );
      const [victim, other] = chains.rows;
      if (victim === undefined || other === undefined || victim.n < 3)
        throw new Error('the timeline has too few patients');
      for (const { nhs, n } of chains.rows) {
        expect((await get(service, `/audit/patients/${nhs}/verify`)).body).toEqual({
          nhsNumber: nhs,
          entries: n,
          ok: true,
        });
      }
      expect(await runVerifyTool(service, databaseUrl, [])).toMatchObject({ code: 0 });

      const row = async (nhs: string, seq: number) =>
        (
          await db.query<{ partition: number; offset: string; event_id: string; payload: string }>(
            `SELECT partition, "offset"::text AS "offset", event_id::text AS event_id, payload::text AS payload
               FROM audit_events WHERE nhs_number = $1 AND chain_seq = $2`,
            [nhs, seq],
          )
        ).rows[0];
      const target = await row(victim.nhs, 2);
      if (target === undefined) throw new Error('no second entry');

      // The payload: one field changed.
      await db.query(
        `UPDATE audit_events SET payload = jsonb_set(payload, '{correlationId}', '"altered"')
          WHERE nhs_number = $1 AND chain_seq = 2`,
        [victim.nhs],
      );
      const broken = await get(service, `/audit/patients/${victim.nhs}/verify`);
      expect(broken.body).toEqual({
        nhsNumber: victim.nhs,
        entries: victim.n,
        ok: false,
        firstBrokenLink: {
          chainSeq: 2,
          partition: target.partition,
          offset: target.offset,
          eventId: target.event_id,
          reason: 'entry-hash-mismatch',
        },
      });
      expect((await get(service, `/audit/patients/${other.nhs}/verify`)).body).toMatchObject({ ok: true });
      const tool = await runVerifyTool(service, databaseUrl, []);
      expect(tool.code).toBe(1);
      expect(tool.stdout).toContain(
        `BROKEN ${victim.nhs}: chain_seq 2 at partition ${target.partition} offset ${target.offset}, event ${target.event_id}`,
      );
      expect(tool.stdout).not.toContain(`BROKEN ${other.nhs}`);
      expect(tool.stdout).toMatch(/, 1 broken\n/);

      // Put back exactly, and the chain is whole again.
      await db.query('UPDATE audit_events SET payload = $2::jsonb WHERE nhs_number = $1 AND chain_seq = 2', [
        victim.nhs,
        target.payload,
      ]);
      expect((await get(service, `/audit/patients/${victim.nhs}/verify`)).body).toMatchObject({ ok: true });

      // The record bytes: one byte appended to the first entry of another patient.
      const first = await row(other.nhs, 1);
      await db.query(
        `UPDATE audit_events SET record_value = record_value || '\\x00'::bytea WHERE nhs_number = $1 AND chain_seq = 1`,
        [other.nhs],
      );
      expect((await get(service, `/audit/patients/${other.nhs}/verify`)).body).toMatchObject({
        ok: false,
        firstBrokenLink: {
          chainSeq: 1,
          partition: first?.partition,
          offset: first?.offset,
          reason: 'entry-hash-mismatch',
        },
      });
      expect((await get(service, `/audit/patients/${victim.nhs}/verify`)).body).toMatchObject({ ok: true });
      const one = await runVerifyTool(service, databaseUrl, ['--patient', other.nhs]);
      expect(one.code).toBe(1);
      expect(one.stdout).toContain(`BROKEN ${other.nhs}: chain_seq 1 at partition ${first?.partition}`);
      expect(await runVerifyTool(service, databaseUrl, ['--patient', victim.nhs])).toMatchObject({ code: 0 });

      // A deleted row is named by its chain_seq.
      await db.query('DELETE FROM audit_events WHERE nhs_number = $1 AND chain_seq = 2', [victim.nhs]);
      expect((await get(service, `/audit/patients/${victim.nhs}/verify`)).body).toMatchObject({
        ok: false,
        firstBrokenLink: { chainSeq: 2, reason: 'entry-missing' },
      });
    } finally {
      await db.end();
    }
  });

  test('an anchor kept outside shows a chain cut short with its head rewritten, which the chain alone cannot', async ({
    service,
    databaseUrl,
  }) => {
    await deliverTimeline(service);
    const dir = await mkdtemp(join(tmpdir(), 'cel-anchor-'));
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      const file = join(dir, 'anchor.json');
      const taken = await runAuditTool(service, databaseUrl, ['anchor', '--out', file]);
      expect(taken.code, taken.stderr).toBe(0);
      const anchor = JSON.parse(await readFile(file, 'utf8')) as { root: string; patients: number; heads: unknown[] };
      expect(anchor.heads).toHaveLength(anchor.patients);
      expect(taken.stderr).toContain(`root ${anchor.root}`);
      // The API gives the same root (no event arrived since), without the heads unless asked.
      const current = await get<{ root: string; heads?: unknown[] }>(service, '/audit/anchor');
      expect(current.body.root).toBe(anchor.root);
      expect(current.body.heads).toBeUndefined();
      expect((await get<{ heads: unknown[] }>(service, '/audit/anchor?heads=true')).body.heads).toEqual(anchor.heads);
      // Written once: an anchor file is never overwritten.
      expect((await runAuditTool(service, databaseUrl, ['anchor', '--out', file])).code).toBe(1);

      const verifyAnchor = (body: unknown) =>
        fetchWithRole(`${service.httpUrl}/audit/anchor/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      expect(await runAuditTool(service, databaseUrl, ['verify', '--anchor', file])).toMatchObject({ code: 0 });
      expect((await verifyAnchor(anchor)).body).toMatchObject({ intact: true, differences: [] });

      // Cut the longest chain short by its last entry and rewrite its head to match.
      const chains = await db.query<{ nhs: string; n: number }>(
        'SELECT nhs_number::text AS nhs, max(chain_seq)::int AS n FROM audit_events GROUP BY 1 ORDER BY 2 DESC, 1',
      );
      const [victim] = chains.rows;
      if (victim === undefined || victim.n < 2) throw new Error('the timeline has too few events per patient');
      const hashOf = async (seq: number) =>
        (
          await db.query<{ h: string }>(
            'SELECT entry_hash AS h FROM audit_events WHERE nhs_number = $1 AND chain_seq = $2',
            [victim.nhs, seq],
          )
        ).rows[0]?.h;
      const lastHash = await hashOf(victim.n);
      const newHead = await hashOf(victim.n - 1);
      await db.query('DELETE FROM audit_events WHERE nhs_number = $1 AND chain_seq = $2', [victim.nhs, victim.n]);
      await db.query('UPDATE audit_chain_heads SET chain_seq = $2, entry_hash = $3 WHERE nhs_number = $1', [
        victim.nhs,
        victim.n - 1,
        newHead,
      ]);
      // The chain alone is whole; what gives the cut away without an anchor is the index against
      // the log: a record below its stored offset that it neither holds nor dead-lettered...
      const cut = (await get(service, `/audit/patients/${victim.nhs}/verify`)).body;
      expect(cut).toMatchObject({ ok: false, missing: [{ reason: 'not-indexed' }] });
      expect(cut).not.toHaveProperty('firstBrokenLink');
      const cutTool = await runVerifyTool(service, databaseUrl, []);
      expect(cutTool.code).toBe(1);
      expect(cutTool.stdout).toMatch(/, 0 broken\n/);
      expect(cutTool.stdout).toContain('neither indexed nor dead-lettered');
      // ...and the anchor names the patient whose head changed.
      const checked = await runAuditTool(service, databaseUrl, ['verify', '--anchor', file]);
      expect(checked.code).toBe(1);
      expect(checked.stdout).toContain(
        `DIFFERS ${victim.nhs}: the anchor of ${(anchor as unknown as { takenAt: string }).takenAt} recorded head chain_seq ${victim.n} ${lastHash}; the stored rows give ${victim.n - 1} ${newHead}`,
      );
      expect(checked.stdout).toMatch(/anchor of .*: BROKEN/);
      expect((await verifyAnchor(anchor)).body).toMatchObject({
        intact: false,
        differences: [
          {
            nhsNumber: victim.nhs,
            anchored: { chainSeq: String(victim.n), entryHash: lastHash },
            now: { chainSeq: String(victim.n - 1), entryHash: newHead },
          },
        ],
      });
      // The root alone (as kept in a ticket) still tells that something changed, not who.
      const { heads: _heads, ...rootOnly } = anchor;
      expect((await verifyAnchor(rootOnly)).body).toMatchObject({ intact: false, differences: [] });
      // An anchor edited after it was taken is refused.
      const edited = { ...anchor, heads: [...anchor.heads].reverse().slice(1) };
      expect(await verifyAnchor(edited)).toMatchObject({
        status: 400,
        body: { code: 'CEL_ERR_BAD_ANCHOR', detail: 'the heads do not give the root: the anchor was altered' },
      });
    } finally {
      await db.end();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('bad parameters are a 400 naming the parameter; unknown patients and events a 404', async ({ service }) => {
    const cases: { path: string; status: number; code: string; location?: string; mentions?: string }[] = [
      { path: '/audit/events', status: 400, code: 'CEL_ERR_UNBOUNDED_QUERY', mentions: 'patient' },
      { path: query({ type: 'PatientDischarged' }), status: 400, code: 'CEL_ERR_UNBOUNDED_QUERY' },
      { path: query({ patient: '9991000217' }), status: 400, code: 'CEL_ERR_INVALID_NHS_NUMBER', location: '/patient' },
      {
        path: query({ from: 'yesterday', to: '2026-03-01T00:00:00Z' }),
        status: 400,
        code: 'CEL_ERR_BAD_INSTANT',
        location: '/from',
      },
      {
        path: query({ from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
        status: 400,
        code: 'CEL_ERR_RANGE_TOO_WIDE',
        location: '/to',
      },
      {
        path: query({ patient: '9991000216', cursor: 'not-a-cursor' }),
        status: 400,
        code: 'CEL_ERR_BAD_CURSOR',
        location: '/cursor',
      },
      {
        path: query({ patient: '9991000216', limit: '1001' }),
        status: 400,
        code: 'CEL_ERR_BAD_REQUEST',
        mentions: 'limit',
      },
      {
        path: query({ patient: '9991000216', type: 'Admitted' }),
        status: 400,
        code: 'CEL_ERR_BAD_REQUEST',
        mentions: 'type',
      },
      { path: '/audit/events/not-a-uuid', status: 400, code: 'CEL_ERR_BAD_REQUEST', mentions: 'eventId' },
      { path: `/audit/events/${randomUUID()}`, status: 404, code: 'CEL_ERR_UNKNOWN_EVENT' },
      { path: '/audit/patients/9991000217/verify', status: 400, code: 'CEL_ERR_INVALID_NHS_NUMBER', location: '/nhs' },
      { path: '/audit/patients/9994000535/verify', status: 404, code: 'CEL_ERR_UNKNOWN_PATIENT' },
      { path: '/audit/patients/9994000535/timeline', status: 404, code: 'CEL_ERR_UNKNOWN_PATIENT' },
      {
        path: '/audit/patients/9991000216/timeline?cursor=xyz',
        status: 400,
        code: 'CEL_ERR_BAD_CURSOR',
        location: '/cursor',
      },
    ];
    for (const c of cases) {
      const response = await get<{ code: string; location?: string; detail: string }>(service, c.path);
      expect(response.status, c.path).toBe(c.status);
      expect(response.type, c.path).toContain('application/problem+json');
      expect(response.body.code, c.path).toBe(c.code);
      if (c.location !== undefined) expect(response.body.location, c.path).toBe(c.location);
      if (c.mentions !== undefined) expect(response.body.detail, c.path).toContain(c.mentions);
    }
    const openapi = await get<{ paths: object }>(service, '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/audit/events',
        '/audit/events/{eventId}',
        '/audit/patients/{nhs}/timeline',
        '/audit/patients/{nhs}/verify',
      ]),
    );
  });
});

describe('the audit index in `npm run views`', () => {
  registryTest(
    'every record twice and a kill -9 mid-batch: each record indexed once, every chain intact',
    async ({ databaseUrl, registryUrl, kafkaBrokers }) => {
      const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
      try {
        const events = workload(40);
        await produce(log, [...events, ...events]);
        const env = { CEL_VIEWS: 'audit-index,audit-receipts', CEL_MAX_BATCH_BYTES: '8192' };
        // Killed after the rows of its third batch are written, before the offset moves: none of it may stay.
        const killed = await startViewWorker(log, { ...env, CEL_FAILPOINT: 'mid-batch:3' });
        expect(await killed.exited).toBe('SIGKILL');
        const worker = await startViewWorker(log, env);
        try {
          await expect.poll(() => caughtUp(log, ['audit-index']), { timeout: 60_000, interval: 200 }).toBe(true);
        } finally {
          await stopChild(worker);
        }
        const rows = await log.pool.query<{ positions: number; n: number }>(
          'SELECT count(DISTINCT (partition, "offset"))::int AS positions, count(*)::int AS n FROM audit_events',
        );
        expect(rows.rows[0]).toEqual({ positions: events.length * 2, n: events.length * 2 });
        const patients = await chainPatients(log.pool);
        expect(patients).toHaveLength(new Set(events.map((e) => e.patient.nhsNumber)).size);
        for (const nhs of patients) expect(await verifyPatientChain(log.pool, nhs), nhs).toMatchObject({ ok: true });
        const stack = { brokers: kafkaBrokers, registryUrl, namespace: log.namespace, kafkaEnv: log.env };
        expect(await runVerifyTool(stack, databaseUrl, [])).toMatchObject({ code: 0 });
      } finally {
        await log.pool.end();
      }
    },
  );
});
