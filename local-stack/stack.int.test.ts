/**
 * The whole embedded stack as an operator runs it: `up` starts Kafka and the registry,
 * migrates the database, creates the topics and registers the schemas; `status --json`
 * locates all three; `down` stops them.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { describe, expect, test } from '../test/support/fixtures.js';

const run = promisify(execFile);
const repoRoot = new URL('..', import.meta.url).pathname;

async function stackCli(args: readonly string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'local-stack/cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type Status = {
  kafka: { bootstrap: string | null; up: boolean };
  database: { up: boolean };
  registry: { url: string | null; up: boolean; embedded: boolean };
};

describe('npm run stack -- up / status / down', () => {
  test('brings up Kafka, the registry, the database, topics and schemas, and stops them', async ({ databaseUrl }) => {
    const stackDir = await mkdtemp(join(tmpdir(), 'cel-stack-'));
    const version = inject('kafkaVersion');
    await mkdir(join(stackDir, 'kafka', version), { recursive: true });
    await symlink(inject('kafkaJarsDir'), join(stackDir, 'kafka', version, 'jars'));
    const env = {
      LOCAL_STACK_DIR: stackDir,
      DATABASE_URL: databaseUrl.toString(),
      KAFKA_VERSION: version,
      KAFKA_BROKERS: '',
      SCHEMA_REGISTRY_URL: '',
      TOPIC_NAMESPACE: 'stacktest',
    };
    try {
      const up = await stackCli(['up'], env);
      expect(up.stderr).toContain('Schema registry: 11 subjects registered');
      expect(up.code).toBe(0);

      const status = JSON.parse((await stackCli(['status', '--json'], env)).stdout) as Status;
      expect(status.kafka.up).toBe(true);
      expect(status.database.up).toBe(true);
      expect(status.registry).toMatchObject({ up: true, embedded: true });
      const subjects = (await (await fetch(`${status.registry.url}/subjects`)).json()) as string[];
      expect(subjects.filter((s) => s.startsWith('stacktest.')).sort()).toEqual(
        [
          'stacktest.clinical-events-clinicaleventlog.events.DiagnosisAmended',
          'stacktest.clinical-events-clinicaleventlog.events.DiagnosisRecorded',
          'stacktest.clinical-events-clinicaleventlog.events.DiagnosisRetracted',
          'stacktest.clinical-events-clinicaleventlog.events.DischargeCancelled',
          'stacktest.clinical-events-clinicaleventlog.events.MedicationOrderCancelled',
          'stacktest.clinical-events-clinicaleventlog.events.MedicationOrderDiscontinued',
          'stacktest.clinical-events-clinicaleventlog.events.MedicationOrdered',
          'stacktest.clinical-events-clinicaleventlog.events.PatientDischarged',
          'stacktest.dead-letters-clinicaleventlog.receipts.DeadLetter',
          'stacktest.raw-receipts-clinicaleventlog.receipts.RawReceipt',
          'stacktest.rejected-inputs-clinicaleventlog.receipts.RejectedInput',
        ].sort(),
      );

      // A second `up` finds everything running and registers nothing new.
      const again = await stackCli(['up'], env);
      expect(again.code).toBe(0);

      expect((await stackCli(['down'], env)).code).toBe(0);
      const after = await stackCli(['status', '--json'], env);
      expect(after.code).toBe(1);
      const down = JSON.parse(after.stdout) as Status;
      expect(down.kafka.up).toBe(false);
      expect(down.registry.up).toBe(false);
    } finally {
      await stackCli(['down'], env);
      await rm(stackDir, { recursive: true, force: true });
    }
  });
});
