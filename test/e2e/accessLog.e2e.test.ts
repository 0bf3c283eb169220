/**
 * Who viewed what, on the real stack: the sample timeline, then a scripted session of reads by
 * several people; the access log then holds exactly one record per answer that carried patient
 * data, with the caller's subject, roles, client and purpose, the declared route and the
 * patients in the answer; ingest answers and refusals write none. With the access-log topic
 * refusing writes, a read is answered 503 without its body and an admin action does not run.
 */
import { describe, expect } from 'vitest';
import type { Role } from '../../auth/roles.js';
import { createKafkaClient } from '../../platform/kafka.js';
import { topicNames } from '../../schemas/topics.js';
import { awaitCatchUp, tailCanonicalLog, waitFor } from '../support/invariantCheck.js';
import {
  deliverSample,
  readCanonicalEvents,
  type ServiceUnderTest,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { kafkaConnectionFor } from '../support/testKafka.js';
import { timelineLines } from '../support/timelineEvents.js';

type AccessRow = {
  actor: { sub: string; roles: string[]; clientId: string };
  purposeOfUse: string;
  kind: string;
  route: string;
  patients: string[];
  correlationId: string;
  outcome: string;
};

async function as(service: ServiceUnderTest, role: Role, sub: string, path: string, correlationId: string) {
  const token = await service.tokens.token(role, { sub, clientId: `${role}-portal` });
  return service.api.as({ bearerToken: token }).get(path, { 'x-correlation-id': correlationId });
}

/** Until the access-log index has applied every record on its topic (its lag on /health is 0). */
async function waitForAccessIndex(service: ServiceUnderTest): Promise<void> {
  await waitFor(
    async () =>
      ((await service.api.get('/health')).body as { viewLag?: Record<string, number> }).viewLag?.['access-log'] === 0,
    30_000,
    'the access-log index to catch up',
  );
}

async function accessOf(service: ServiceUnderTest, query: string): Promise<AccessRow[]> {
  const rows: AccessRow[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await service.api
      .as({ bearerToken: await service.tokens.token('auditor', { sub: 'access-checker' }) })
      .get(`/audit/access?${query}&limit=50${cursor === null ? '' : `&cursor=${cursor}`}`);
    const body = page.body as { records: AccessRow[]; cursor: string | null };
    expect(page.status).toBe(200);
    if (body.records.length === 0) return rows;
    rows.push(...body.records);
    cursor = body.cursor;
  }
}

describe('the access log', () => {
  test('one record per answer carrying patient data, with the actor and the patients; none for ingest or refusals', async ({
    service,
  }) => {
    const tail = await tailCanonicalLog(service);
    try {
      for (const line of timelineLines()) await deliverSample(service, line.file);
      await service.ingest.idle();
      await awaitCatchUp(tail, service.api);
    } finally {
      await tail.close();
    }
    const patients = [...new Set((await readCanonicalEvents(service)).map((e) => e.patient.nhsNumber))].sort();
    const [first = '', second = ''] = patients;

    // The scripted session: three people, reads of one patient and of lists, refusals.
    const session: { role: Role; sub: string; path: string; status: number }[] = [
      { role: 'gp', sub: 'dr-jones', path: `/patients/${first}/gp-summary`, status: 200 },
      { role: 'gp', sub: 'dr-jones', path: `/patients/${first}/medications`, status: 200 },
      { role: 'gp', sub: 'dr-jones', path: `/audit/patients/${second}/timeline`, status: 200 },
      { role: 'pharmacist', sub: 'ph-patel', path: '/pharmacy/orders?limit=1000', status: 200 },
      {
        role: 'care-coordinator',
        sub: 'cc-ahmed',
        path: `/care-plan/tasks?dueBefore=2100-01-01T00:00:00Z`,
        status: 200,
      },
      // Refused: writes no record.
      { role: 'pharmacist', sub: 'ph-patel', path: `/patients/${first}/gp-summary`, status: 403 },
    ];
    const answers = new Map<string, unknown>();
    for (const [i, step] of session.entries()) {
      const response = await as(service, step.role, step.sub, step.path, `session-${i}`);
      expect(response.status, step.path).toBe(step.status);
      answers.set(`session-${i}`, response.body);
    }
    // An analyst's replay: recorded before it streams, and once ended with every patient it held.
    const replay = await as(
      service,
      'analyst',
      'an-okafor',
      '/replay/events?time=clinical&from=2026-02-20&to=2026-03-20',
      'replay-1',
    );
    expect(replay.status).toBe(200);
    const replayed = [
      ...new Set(
        replay.text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => (JSON.parse(line) as { event: { patient: { nhsNumber: string } } }).event.patient.nhsNumber),
      ),
    ].sort();
    expect(replayed.length).toBeGreaterThan(1);
    await waitForAccessIndex(service);

    const byJones = await accessOf(service, 'actor=dr-jones');
    expect(byJones.map((r) => [r.route, r.patients, r.correlationId, r.outcome])).toEqual([
      ['GET /patients/:nhs/gp-summary', [first], 'session-0', '200'],
      ['GET /patients/:nhs/medications', [first], 'session-1', '200'],
      ['GET /audit/patients/:nhs/timeline', [second], 'session-2', '200'],
    ]);
    expect(byJones[0]).toMatchObject({
      actor: { sub: 'dr-jones', roles: ['gp'], clientId: 'gp-portal' },
      purposeOfUse: 'TREAT',
      kind: 'READ',
    });

    // A list: the record names every patient in the answer, and is found from each of them.
    const orders = answers.get('session-3') as { orders: { nhsNumber: string }[] };
    const listed = [...new Set(orders.orders.map((o) => o.nhsNumber))].sort();
    expect(listed.length).toBeGreaterThan(1);
    const byPatel = await accessOf(service, 'actor=ph-patel');
    expect(byPatel.map((r) => [r.route, r.patients])).toEqual([['GET /pharmacy/orders', listed]]);
    for (const nhs of listed) {
      const about = await accessOf(service, `patient=${nhs}`);
      expect(about.filter((r) => r.actor.sub === 'ph-patel')).toHaveLength(1);
    }

    await waitFor(
      async () => (await accessOf(service, 'actor=an-okafor')).length === 2,
      30_000,
      "the replay's second record",
    );
    expect((await accessOf(service, 'actor=an-okafor')).map((r) => [r.kind, r.route, r.outcome, r.patients])).toEqual([
      ['EXPORT', 'GET /replay/events', 'started', []],
      ['EXPORT', 'GET /replay/events', 'completed', replayed],
    ]);

    // Who looked at the first patient: exactly the reads that showed them, ingest wrote none.
    const aboutFirst = (await accessOf(service, `patient=${first}`)).filter(
      (r) => r.actor.sub !== 'access-checker' && r.kind === 'READ',
    );
    const showedFirst = session
      .map((step, i) => ({ ...step, id: `session-${i}` }))
      .filter((step) => step.status === 200 && JSON.stringify(answers.get(step.id)).includes(first));
    expect(aboutFirst.map((r) => r.correlationId).sort()).toEqual(showedFirst.map((s) => s.id).sort());
    expect(aboutFirst.every((r) => r.actor.clientId !== 'cel-dev-token-cli' || r.kind !== 'READ')).toBe(true);
  });

  test('when the access log cannot be written, reads are 503 without their data and admin actions do not run', async ({
    service,
  }) => {
    const tail = await tailCanonicalLog(service);
    try {
      await deliverSample(service, 'hl7v2/orm_o01_new_order.hl7');
      await awaitCatchUp(tail, service.api);
    } finally {
      await tail.close();
    }
    const nhs = (await readCanonicalEvents(service))[0]?.patient.nhsNumber ?? '';
    expect((await as(service, 'gp', 'dr-before', `/patients/${nhs}/gp-summary`, 'before')).status).toBe(200);

    // The broker refuses every access record: a topic limit below any record's size.
    const admin = createKafkaClient({
      ...(await kafkaConnectionFor(service.brokers)).connection,
      clientId: 'access-e2e',
    }).admin();
    await admin.connect();
    const topic = topicNames(service.namespace).access;
    const setLimit = (bytes: string) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: topic, configEntries: [{ name: 'max.message.bytes', value: bytes }] }],
      });
    try {
      await setLimit('16');
      const read = await as(service, 'gp', 'dr-during', `/patients/${nhs}/gp-summary`, 'during');
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ code: 'CEL_ERR_ACCESS_LOG_UNAVAILABLE' });
      expect(read.text).not.toContain(nhs);
      expect(read.headers.get('retry-after')).toBe('5');
      const redrive = await service.api
        .as({ bearerToken: await service.tokens.token('operator') })
        .request('POST', '/admin/dead-letters/1/redrive');
      expect(redrive.status).toBe(503);
    } finally {
      await setLimit(String(4 * 1024 * 1024));
      await admin.disconnect();
    }
    // Written again once the log takes records: the refused read left none.
    await waitFor(
      async () => (await as(service, 'gp', 'dr-after', `/patients/${nhs}/gp-summary`, 'after')).status === 200,
      30_000,
      'reads to be recorded again',
    );
    await waitForAccessIndex(service);
    const about = await accessOf(service, `patient=${nhs}`);
    expect(about.map((r) => r.actor.sub).filter((s) => s.startsWith('dr-'))).toEqual(
      expect.arrayContaining(['dr-before', 'dr-after']),
    );
    expect(about.some((r) => r.actor.sub === 'dr-during')).toBe(false);
  });
});
