/**
 * The whole embedded stack as an operator runs it: `up` starts Kafka and the registry,
 * migrates the database, creates the topics and registers the schemas; `status --json`
 * locates all three; `down` stops them.
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { inject } from 'vitest';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { runService } from '../service/runService.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { msaOf, sendOverMllp } from '../test/support/mllpClient.js';
import { runStackCli, runTool } from '../test/support/runStackCli.js';
import { sampleBytes } from '../test/support/samples.js';

type Status = {
  kafka: { bootstrap: string | null; up: boolean };
  database: { up: boolean };
  registry: {
    url: string | null;
    up: boolean;
    embedded: boolean;
    credentials?: { admin: string; service: string; subscriber: string };
  };
};

/** The Authorization header of a `user:password` file. */
const basicFrom = async (file: string) =>
  `Basic ${Buffer.from((await readFile(file, 'utf8')).trim()).toString('base64')}`;

const stackCliWith = (args: readonly string[], env: Record<string, string>) =>
  runStackCli(args, { ...(process.env as Record<string, string>), ...env });

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
      const up = await stackCliWith(['up'], env);
      expect(up.stderr).toContain('Schema registry: 12 subjects registered');
      expect(up.code).toBe(0);

      const status = JSON.parse((await stackCliWith(['status', '--json'], env)).stdout) as Status;
      expect(status.kafka.up).toBe(true);
      expect(status.database.up).toBe(true);
      const credentialsDir = join(stackDir, 'registry', 'credentials');
      expect(status.registry).toMatchObject({
        up: true,
        embedded: true,
        credentials: {
          admin: join(credentialsDir, 'admin.basic-auth'),
          service: join(credentialsDir, 'service.basic-auth'),
          subscriber: join(credentialsDir, 'subscriber.basic-auth'),
        },
      });
      const files = status.registry.credentials ?? { admin: '', service: '', subscriber: '' };
      expect((await stat(credentialsDir)).mode & 0o777).toBe(0o700);
      for (const file of [files.admin, files.service, files.subscriber, join(credentialsDir, 'users.json')]) {
        expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      }
      const servicePassword = (await readFile(files.service, 'utf8')).trim().split(':')[1] ?? '';
      expect(servicePassword.length).toBeGreaterThanOrEqual(32);
      expect(up.stderr).not.toContain(servicePassword);
      expect(await readFile(join(credentialsDir, 'users.json'), 'utf8')).not.toContain(servicePassword);
      expect((await fetch(`${status.registry.url}/subjects`)).status).toBe(401);
      const asService = { headers: { authorization: await basicFrom(files.service) } };
      const subjects = (await (await fetch(`${status.registry.url}/subjects`, asService)).json()) as string[];
      expect(subjects.filter((s) => s.startsWith('stacktest.')).sort()).toEqual(
        [
          'stacktest.access-log-clinicaleventlog.access.AccessRecord',
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

      // Only an admin lowers a level; the next `up` says so and leaves it.
      const lowered = 'stacktest.raw-receipts-clinicaleventlog.receipts.RawReceipt';
      const lower = (authorization: string) =>
        fetch(`${status.registry.url}/config/${lowered}`, {
          method: 'PUT',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ compatibility: 'NONE' }),
        });
      expect((await lower(await basicFrom(files.service))).status).toBe(403);
      expect((await lower(await basicFrom(files.admin))).status).toBe(200);

      // A second `up` finds everything running and registers nothing new.
      const again = await stackCliWith(['up'], env);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(
        `Schema registry: subject ${lowered} is at NONE, weaker than FULL_TRANSITIVE; an admin lowered it`,
      );

      expect((await stackCliWith(['down'], env)).code).toBe(0);
      const after = await stackCliWith(['status', '--json'], env);
      expect(after.code).toBe(1);
      const down = JSON.parse(after.stdout) as Status;
      expect(down.kafka.up).toBe(false);
      expect(down.registry.up).toBe(false);
    } finally {
      await stackCliWith(['down'], env);
      await rm(stackDir, { recursive: true, force: true });
    }
  });

  test('up --secure: a secured Kafka whose status names the CA and the client configs, which connect', async ({
    databaseUrl,
  }) => {
    const stackDir = await mkdtemp(join(tmpdir(), 'cel-stack-secure-'));
    const version = inject('kafkaVersion');
    await mkdir(join(stackDir, 'kafka', version), { recursive: true });
    await symlink(inject('kafkaJarsDir'), join(stackDir, 'kafka', version, 'jars'));
    const env = {
      LOCAL_STACK_DIR: stackDir,
      DATABASE_URL: databaseUrl.toString(),
      KAFKA_VERSION: version,
      KAFKA_BROKERS: '',
      SCHEMA_REGISTRY_URL: '',
      TOPIC_NAMESPACE: 'stacksecure',
    };
    try {
      const up = await stackCliWith(['up', '--secure'], env);
      expect(up.stderr).toContain(
        'Kafka: secured (SASL_SSL, SCRAM-SHA-512; also SCRAM-SHA-256, PLAIN, OAUTHBEARER; mTLS',
      );
      expect(up.code).toBe(0);

      type SecureStatus = Status & {
        kafka: { security: { protocol: string; caFile: string; clients: { service: string; subscriber: string } } };
      };
      const status = JSON.parse((await stackCliWith(['status', '--json'], env)).stdout) as SecureStatus;
      expect(status.kafka.up).toBe(true);
      expect(status.kafka.security).toMatchObject({
        protocol: 'SASL_SSL',
        caFile: join(stackDir, 'security', 'ca.pem'),
        clients: { service: join(stackDir, 'security', 'service.json') },
      });
      const service = JSON.parse(await readFile(status.kafka.security.clients.service, 'utf8')) as {
        username: string;
        password: string;
        caFile: string;
      };
      const kafka = new kafkajs.Kafka({
        clientId: 'stack-secure-test',
        brokers: (status.kafka.bootstrap ?? '').split(','),
        ssl: { ca: [await readFile(service.caFile, 'utf8')] },
        sasl: { mechanism: 'scram-sha-512', username: service.username, password: service.password },
        logLevel: kafkajs.logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).toContain('stacksecure.clinical-events');
      } finally {
        await admin.disconnect();
      }

      // The service runs on the secured stack as its `service` principal: a message in, AA, on the log.
      const running = await runService(loadConfig({ PATH: process.env.PATH, ...env, PORT: '0', MLLP_PORT: '0' }), {
        logger: createLogger('warn'),
      });
      try {
        const ack = await sendOverMllp(running.mllpPort, sampleBytes('hl7v2/orm_o01_new_order.hl7'));
        expect(msaOf(ack).code).toBe('AA');
        const offsets = await (async () => {
          const admin = kafka.admin();
          await admin.connect();
          try {
            return await admin.fetchTopicOffsets('stacksecure.clinical-events');
          } finally {
            await admin.disconnect();
          }
        })();
        expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);
      } finally {
        await running.close();
      }
      // The operators' tools find the stack's credentials themselves: the log tail reads the event.
      const tail = await runTool('tools/logTail.ts', ['tail', '--from-beginning', '--until-end'], env);
      expect(tail.stderr).toBe('');
      expect(tail.code).toBe(0);
      expect(tail.stdout).toContain('MedicationOrdered');

      // Without --secure, a later up keeps the stack secured.
      expect((await stackCliWith(['down'], env)).code).toBe(0);
      const again = await stackCliWith(['up'], env);
      expect(again.stderr).toContain('Kafka: secured');
      expect(again.code).toBe(0);
    } finally {
      await stackCliWith(['down'], env);
      await rm(stackDir, { recursive: true, force: true });
    }
  }, 240_000); // certificates, a secured broker started twice, and the whole stack
});
