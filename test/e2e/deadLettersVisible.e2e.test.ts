/**
 * Dead letters are never hidden. A patient's second event is refused by PostgreSQL in the GP
 * view and in the audit index (a trigger stands in for a value the tables cannot hold; its SQLSTATE P0001 is the dead letter's code), so
 * both dead-letter it after the sender was told 201. Then /health says degraded with the count
 * per view (still 200), /admin/dead-letters lists them, the patient's audit verify and the
 * audit tool report the record missing from the trail, and once the cause is gone the GP
 * view's dead letter is re-driven through the API; the audit index's is not re-drivable.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { describe, expect } from 'vitest';
import type { ApiClient } from '../support/apiClient.js';
import { type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const PATIENT = '9995000040';

const discharge = (visitId: string, dischargedAt: string) => ({
  type: 'PatientDischarged',
  nhsNumber: PATIENT,
  occurredAt: dischargedAt,
  data: {
    visitId,
    admittedAt: '2026-03-02T20:10:00Z',
    dischargedAt,
    dischargeMethod: '1',
    dischargeDestination: '19',
    organisation: 'RXX01',
    responsibleClinician: 'C9999005',
  },
});

type Health = { status: string; deadLetters?: Record<string, number>; viewLag?: Record<string, number> };
type DeadLetter = { id: number; view: string; partition: number; offset: string; errorCode: string; status: string };

async function send(api: ApiClient, key: string, event: unknown): Promise<number> {
  return (await api.post('/events', event, { 'idempotency-key': key })).status;
}

/** The audit tool as an operator runs it, against the service's database. */
function runAuditVerify(service: ServiceUnderTest, databaseUrl: URL): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/auditCli.ts', 'verify'], {
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
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout })));
}

describe('dead letters are never hidden', () => {
  test('a record dead-lettered by a view and the audit index: /health degraded, listed, verify not ok, re-driven', async ({
    service,
    databaseUrl,
  }) => {
    const api = service.api;
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      expect(await send(api, 'visit-1', discharge('V1', '2026-03-04T16:45:00Z'))).toBe(201);
      await expect
        .poll(async () => ((await api.get('/health')).body as Health).viewLag, { timeout: 30_000, interval: 200 })
        .toMatchObject({ 'gp-view': 0, 'audit-index': 0 });
      expect((await api.get('/health')).body).toMatchObject({ status: 'up' });
      expect((await api.get(`/audit/patients/${PATIENT}/verify`)).body).toEqual({
        nhsNumber: PATIENT,
        entries: 1,
        ok: true,
      });

      // The cause: PostgreSQL refuses this patient's rows in the GP view and the audit index.
      await db.query(`CREATE FUNCTION e2e_refuse_patient() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.nhs_number = '${PATIENT}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await db.query(
        'CREATE TRIGGER e2e_gp BEFORE INSERT OR UPDATE ON gp_view_patients FOR EACH ROW EXECUTE FUNCTION e2e_refuse_patient()',
      );
      await db.query(
        'CREATE TRIGGER e2e_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION e2e_refuse_patient()',
      );
      expect(await send(api, 'visit-2', discharge('V2', '2026-03-09T10:00:00Z'))).toBe(201);

      await expect
        .poll(async () => (await api.get('/health')).body as Health, { timeout: 60_000, interval: 250 })
        .toMatchObject({ status: 'degraded', deadLetters: { 'gp-view': 1, 'audit-index': 1 } });
      const health = await api.get('/health');
      expect(health.status).toBe(200);

      const listed = (await api.get('/admin/dead-letters')).body as {
        deadLetters: DeadLetter[];
        unresolved: Record<string, number>;
      };
      expect(listed.unresolved).toEqual({ 'audit-index': 1, 'gp-view': 1 });
      expect(listed.deadLetters.map((d) => [d.view, d.status, d.errorCode]).sort()).toEqual([
        ['audit-index', 'dead', 'P0001'],
        ['gp-view', 'dead', 'P0001'],
      ]);
      const gp = listed.deadLetters.find((d) => d.view === 'gp-view');
      const audit = listed.deadLetters.find((d) => d.view === 'audit-index');
      if (gp === undefined || audit === undefined) throw new Error('a dead letter is not listed');
      expect(
        ((await api.get('/admin/dead-letters?view=gp-view')).body as { deadLetters: DeadLetter[] }).deadLetters,
      ).toHaveLength(1);
      expect((await api.get(`/admin/dead-letters/${gp.id}`)).body).toMatchObject({ id: gp.id, view: 'gp-view' });

      // The audit trail lacks the second record: the API and the tool say so.
      expect((await api.get(`/audit/patients/${PATIENT}/verify`)).body).toEqual({
        nhsNumber: PATIENT,
        entries: 1,
        ok: false,
        missing: [
          {
            reason: 'dead-lettered',
            topic: `${service.namespace}.clinical-events`,
            partition: audit.partition,
            offset: audit.offset,
            eventId: expect.any(String),
            errorCode: 'P0001',
            deadLetterId: audit.id,
          },
        ],
      });
      const tool = await runAuditVerify(service, databaseUrl);
      expect(tool.code).toBe(1);
      expect(tool.stdout).toContain(`[${audit.partition}]@${audit.offset} was dead-lettered by the audit index`);

      // Still failing while the cause is there; applied once it is gone; not twice.
      expect((await api.request('POST', `/admin/dead-letters/${gp.id}/redrive`)).body).toMatchObject({
        code: 'CEL_ERR_STILL_FAILING',
        status: 409,
      });
      await db.query('DROP TRIGGER e2e_gp ON gp_view_patients');
      const redriven = await api.request('POST', `/admin/dead-letters/${gp.id}/redrive`);
      expect({ status: redriven.status, body: redriven.body }).toMatchObject({
        status: 200,
        body: { id: gp.id, outcome: 'applied' },
      });
      const summary = (await api.get(`/patients/${PATIENT}/gp-summary`)).body as { discharges: { visitId: string }[] };
      expect(summary.discharges.map((d) => d.visitId).sort()).toEqual(['V1', 'V2']);
      expect((await api.request('POST', `/admin/dead-letters/${gp.id}/redrive`)).body).toMatchObject({
        code: 'CEL_ERR_ALREADY_REDRIVEN',
      });
      expect((await api.request('POST', `/admin/dead-letters/${audit.id}/redrive`)).body).toMatchObject({
        code: 'CEL_ERR_NOT_REDRIVABLE',
      });
      expect((await api.request('POST', '/admin/dead-letters/999999/redrive')).body).toMatchObject({
        code: 'CEL_ERR_UNKNOWN_DEAD_LETTER',
      });
      expect((await api.get('/health')).body).toMatchObject({ status: 'degraded', deadLetters: { 'audit-index': 1 } });
      expect(((await api.get('/health')).body as Health).deadLetters).not.toHaveProperty('gp-view');

      // A row removed from the index (its chain broken) is also a hole below the stored offset.
      await db.query('DROP TRIGGER e2e_audit ON audit_events');
      expect(await send(api, 'visit-3', discharge('V3', '2026-03-12T10:00:00Z'))).toBe(201);
      await expect
        .poll(async () => ((await api.get(`/audit/patients/${PATIENT}/verify`)).body as { entries: number }).entries, {
          timeout: 30_000,
          interval: 200,
        })
        .toBe(2);
      const deleted = await db.query<{ partition: number; offset: string }>(
        `DELETE FROM audit_events WHERE nhs_number = $1 AND chain_seq = 2 RETURNING partition, "offset"::text AS "offset"`,
        [PATIENT],
      );
      const [removed] = deleted.rows;
      if (removed === undefined) throw new Error('no audit row');
      expect(
        ((await api.get(`/audit/patients/${PATIENT}/verify`)).body as { missing: unknown[] }).missing,
      ).toContainEqual({
        reason: 'not-indexed',
        topic: `${service.namespace}.clinical-events`,
        partition: removed.partition,
        fromOffset: removed.offset,
        toOffset: removed.offset,
      });
    } finally {
      await db.end();
    }
  });
});
