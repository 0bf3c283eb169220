/**
 * Nothing lost, nothing guessed: a refused message and an unidentifiable one are kept, listed
 * and re-drivable by an operator (HTTP admin API and the CLI); the parked one is released by
 * itself when a later message teaches its patient's NHS number, or by the sweep when that
 * release did not happen; the log CLI shows the result.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { topicNames } from '../../schemas/topics.js';
import { toNeutral } from '../support/neutralEvent.js';
import { expectedOutcomes, sampleBytes } from '../support/samples.js';
import { deliverSample, readCanonicalEvents, serviceTest as test } from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;

async function cli(script: string, args: readonly string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning', ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: `${e.stdout}${e.stderr}` };
  }
}

type HeldView = { id: number; reasonCode: string; status: string; channel: string };

const parkedList = async (service: { readonly httpUrl: string }) =>
  ((await (await fetchWithRole(`${service.httpUrl}/admin/parked`)).json()) as { parked: HeldView[] }).parked;

describe('held inputs', () => {
  test('a rejected message is kept with its reason, listed, and re-drivable', async ({ service }) => {
    expect((await deliverSample(service, 'hl7v2/bad_invalid_nhs_check_digit.hl7')).ack).toBe('AE');
    const listed = (await (await fetchWithRole(`${service.httpUrl}/admin/rejected`)).json()) as {
      rejected: HeldView[];
    };
    expect(listed.rejected).toEqual([
      expect.objectContaining({ reasonCode: 'invalid-nhs-number', status: 'rejected', channel: 'HL7V2' }),
    ]);
    const [held] = listed.rejected;
    if (held === undefined) throw new Error('nothing listed');

    const list = await cli('tools/inputsCli.ts', ['list', 'rejected', '--url', service.httpUrl]);
    expect(list.stdout).toMatch(/invalid-nhs-number at PID-3/);

    const redrive = await cli('tools/inputsCli.ts', ['redrive', 'rejected', String(held.id), '--url', service.httpUrl]);
    expect(redrive.code).toBe(1); // still wrong: the fix has to come from the sender
    expect(redrive.stdout).toContain(`rejected input ${held.id}: rejected`);
    const after = (await (await fetchWithRole(`${service.httpUrl}/admin/rejected?all=true`)).json()) as {
      rejected: HeldView[];
    };
    expect(after.rejected.map((r) => r.status)).toEqual(['rejected']); // refused again: still needs a fix
  });

  test('a batch entry that cannot be taken is answered in place and its Bundle kept as a rejected input', async ({
    service,
  }) => {
    const condition = JSON.parse(Buffer.from(sampleBytes('fhir/condition_confirmed.json')).toString('utf8')) as {
      code?: unknown;
    };
    const { code: _dropped, ...withoutCode } = condition;
    const batch = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: condition, request: { method: 'POST', url: 'Condition' } },
        { resource: { ...withoutCode, id: 'no-code' }, request: { method: 'POST', url: 'Condition' } },
      ],
    };
    const response = await fetchWithRole(`${service.httpUrl}/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(batch),
    });
    const answer = (await response.json()) as { entry: { response: { status: string } }[] };
    expect(response.status).toBe(200);
    expect(answer.entry.map((e) => e.response.status.slice(0, 3))).toEqual(['201', '422']);
    expect((await readCanonicalEvents(service)).map((e) => e.type)).toEqual(['DiagnosisRecorded']);

    const listed = (await (await fetchWithRole(`${service.httpUrl}/admin/rejected`)).json()) as {
      rejected: (HeldView & { reason: string; location: string })[];
    };
    expect(listed.rejected).toEqual([
      expect.objectContaining({
        reasonCode: 'required-field-missing',
        location: 'Bundle.entry[1].resource.code',
        status: 'rejected',
        channel: 'FHIR',
        reason: expect.stringMatching(/^1 part not taken: /),
      }),
    ]);
    // Re-driven as sent, the entry taken before is a duplicate and writes nothing new.
    const [held] = listed.rejected;
    if (held === undefined) throw new Error('nothing listed');
    await cli('tools/inputsCli.ts', ['redrive', 'rejected', String(held.id), '--url', service.httpUrl]);
    expect((await readCanonicalEvents(service)).map((e) => e.type)).toEqual(['DiagnosisRecorded']);
  });

  test('an MRN-only message is parked, listed, and released when its NHS number is learned', async ({ service }) => {
    expect((await deliverSample(service, 'hl7v2/adt_a08_mrn_only_parked.hl7')).ack).toBe('AA');
    const parked = (await (await fetchWithRole(`${service.httpUrl}/admin/parked`)).json()) as { parked: HeldView[] };
    expect(parked.parked).toEqual([expect.objectContaining({ reasonCode: 'patient-unresolved', status: 'parked' })]);
    expect(await readCanonicalEvents(service)).toEqual([]);

    expect((await deliverSample(service, 'hl7v2/adt_a03_utf8.hl7')).ack).toBe('AA'); // carries NHS number + MRN
    await service.ingest.idle();
    const stillParked = (await (await fetchWithRole(`${service.httpUrl}/admin/parked`)).json()) as {
      parked: HeldView[];
    };
    expect(stillParked.parked).toEqual([]);

    const released = expectedOutcomes('hl7v2').find(
      (e) => e.input === 'hl7v2/adt_a08_mrn_only_parked.hl7',
    )?.eventsWhenResolved;
    const events = (await readCanonicalEvents(service)).map(toNeutral);
    for (const event of released ?? []) expect(events).toContainEqual(event);
  });

  test('a parked message whose mapping was learned but whose release did not happen is released by the sweep', async ({
    service,
    databaseUrl,
  }) => {
    expect((await deliverSample(service, 'hl7v2/adt_a08_mrn_only_parked.hl7')).ack).toBe('AA');
    const waiting = await parkedList(service);
    expect(waiting).toHaveLength(1);
    // As after a crash (or a lost database) between learning the mapping and the release: the
    // mapping is there, the input still parked.
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      const on = await db.query<{ authority: string; local_id: string }>(
        "SELECT waiting_authority AS authority, waiting_local_id AS local_id FROM ingest_parked WHERE status = 'parked'",
      );
      const [row] = on.rows;
      if (row === undefined) throw new Error('the parked input waits on a local identifier');
      await db.query('INSERT INTO patient_identity_xref (authority, local_id, nhs_number) VALUES ($1, $2, $3)', [
        row.authority,
        row.local_id,
        '9991000216',
      ]);
    } finally {
      await db.end();
    }
    expect(await parkedList(service)).toHaveLength(1);
    await service.ingest.releaseResolvable();
    expect(await parkedList(service)).toEqual([]);
    expect((await readCanonicalEvents(service)).length).toBeGreaterThan(0);
  });

  test('a message parked while the mapping it waits on is being learned is released all the same', async ({
    service,
    databaseUrl,
  }) => {
    // The teaching message commits its mapping, and looks for inputs waiting on it, while this
    // one is between its read (no mapping yet) and its park: the park itself must look again.
    // A trigger makes that interleaving certain: the mapping appears as the park is written.
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      await db.query(`
        CREATE FUNCTION learn_while_parking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO patient_identity_xref (authority, local_id, nhs_number)
          VALUES (NEW.waiting_authority, NEW.waiting_local_id, '9991000216') ON CONFLICT DO NOTHING;
          RETURN NEW;
        END $$;
        CREATE TRIGGER learn_while_parking BEFORE INSERT ON ingest_parked
          FOR EACH ROW EXECUTE FUNCTION learn_while_parking();`);
      expect((await deliverSample(service, 'hl7v2/adt_a08_mrn_only_parked.hl7')).ack).toBe('AA');
      await service.ingest.idle();
      expect(await parkedList(service)).toEqual([]);
      expect((await readCanonicalEvents(service)).length).toBeGreaterThan(0);
    } finally {
      await db.query(
        'DROP TRIGGER IF EXISTS learn_while_parking ON ingest_parked; DROP FUNCTION IF EXISTS learn_while_parking()',
      );
      await db.end();
    }
  });

  test("npm run log -- tail prints a patient's decoded events as JSON lines and stops at the end", async ({
    service,
  }) => {
    expect((await deliverSample(service, 'hl7v2/adt_a03_discharge.hl7')).ack).toBe('AA');
    expect((await deliverSample(service, 'json/discharge_event.json')).httpStatus).toBe(201);
    const tail = await cli('tools/logTail.ts', ['tail', '--from-beginning', '--until-end', '--patient', '9991000216'], {
      ...service.kafkaEnv,
      SCHEMA_REGISTRY_URL: service.registryUrl,
      TOPIC_NAMESPACE: service.namespace,
    });
    expect(tail.code).toBe(0);
    const lines = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { topic: string; key: string; value: { type: string } });
    expect(lines.map((l) => l.value.type).sort()).toEqual([
      'DiagnosisRecorded',
      'DiagnosisRecorded',
      'PatientDischarged',
    ]);
    expect(new Set(lines.map((l) => l.key))).toEqual(new Set(['9991000216']));
    expect(lines[0]?.topic).toBe(topicNames(service.namespace).canonical);
  });
});
