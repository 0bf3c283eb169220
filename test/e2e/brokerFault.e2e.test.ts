/**
 * A broker is killed (kill -9) while a sender streams HL7 over MLLP: the only broker, restarted
 * on the same data, or one of a 3-broker cluster (3 replicas, min.insync.replicas 2), which
 * carries on without it. Both clusters are secured as `npm run stack -- up --secure` secures one
 * (SASL_SSL between every client and broker and between the brokers, SCRAM, ACLs): the service
 * runs as the `service` principal with only the ACLs of its namespace. The sender behaves like a real one: it resends whatever got no AA.
 * Afterwards every message that got AA has its event on the log, and the number of log records
 * that share an eventId (a resend after a write that was acknowledged but not yet recorded) is
 * reported — the views' dedup makes those harmless.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { eventIdFor, hl7DedupKey } from '../../core/eventIdentity.js';
import { loadStackSecurity } from '../../local-stack/certificates.js';
import { bootstrapOf, signalKafkaNode, startKafkaCluster, stopKafkaCluster } from '../../local-stack/kafkaCluster.js';
import { applyStackAcls, asPrincipal, principalEnv } from '../../local-stack/secureKafkaClient.js';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { registryTest as test } from '../../registry/registryUnderTest.js';
import { runService } from '../../service/runService.js';
import { describe, expect } from '../support/fixtures.js';
import { type MllpClient, msaOf, openMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { readCanonicalEvents } from '../support/serviceUnderTest.js';

const template = Buffer.from(sampleBytes('hl7v2/orm_o01_new_order.hl7')).toString('latin1');
const messageNumbered = (n: number) =>
  Buffer.from(
    template.replace(/\|ORD5001\^/g, `|FLT${n}^`).replace(/^(MSH(\|[^|]*){8})\|[^|]*/m, `$1|FLT-${n}`),
    'latin1',
  );

const scenarios = [
  { brokerCount: 1, killed: 1, story: 'the only broker, restarted on its data' },
  { brokerCount: 3, killed: 2, story: 'one broker of three, not restarted' },
] as const;

describe('a broker crash while HL7 streams in', () => {
  for (const { brokerCount, killed, story } of scenarios)
    test(`every message answered AA has its event on the log: ${story}`, async ({ databaseUrl, registryUrl }) => {
      const dir = await mkdtemp(join(tmpdir(), 'cel-ingest-fault-'));
      const namespace = `fault${brokerCount}`;
      const securityDir = join(dir, 'security');
      const layout = await startKafkaCluster({
        dir: join(dir, 'kafka'),
        version: inject('kafkaVersion'),
        jarsDir: inject('kafkaJarsDir'),
        brokerCount,
        securityDir,
      });
      const security = await loadStackSecurity(securityDir);
      await applyStackAcls({ brokers: bootstrapOf(layout).split(','), security, namespace });
      const config = loadConfig({
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl.toString(),
        KAFKA_BROKERS: bootstrapOf(layout),
        ...principalEnv(securityDir, 'service'),
        SCHEMA_REGISTRY_URL: registryUrl,
        TOPIC_NAMESPACE: namespace,
        TOPIC_PARTITIONS: '3',
        PORT: '0',
        MLLP_PORT: '0',
      });
      const service = await runService(config, { logger: createLogger('silent') });
      const total = 240;
      const acked = new Set<number>();
      let resends = 0;
      let client: MllpClient | undefined;
      try {
        const sender = (async () => {
          for (let n = 0; n < total; n += 1) {
            for (;;) {
              try {
                client ??= await openMllp(service.mllpPort);
                const ack = await Promise.race([
                  client.send(messageNumbered(n)),
                  new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no ACK in time')), 30_000)),
                ]);
                if (msaOf(ack).code === 'AA') {
                  acked.add(n);
                  break;
                }
              } catch {
                client?.close();
                client = undefined;
              }
              resends += 1; // no AA: a real sender keeps the message and sends it again
            }
          }
        })();
        await expect.poll(() => acked.size, { timeout: 60_000 }).toBeGreaterThanOrEqual(80);
        await signalKafkaNode(layout, killed, 'SIGKILL');
        if (brokerCount === 1) {
          await expect.poll(() => resends, { timeout: 60_000 }).toBeGreaterThan(0);
          await startKafkaCluster({ dir: layout.dir, version: layout.version, jarsDir: layout.jarsDir, brokerCount });
        }
        await sender;

        const events = await readCanonicalEvents({ ...service, namespace }, asPrincipal(security, 'admin'));
        const ids = events.map((e) => e.eventId);
        const expected = [...acked].map((n) =>
          eventIdFor(
            hl7DedupKey({ sendingApplication: 'EPR', sendingFacility: 'RXX01', controlId: `FLT-${n}`, place: 'ORC#1' }),
          ),
        );
        expect(acked.size).toBe(total);
        expect(expected.filter((id) => !ids.includes(id))).toEqual([]);
        const duplicateRecords = ids.length - new Set(ids).size;
        console.info(
          `broker fault (${brokerCount} broker(s)): ${total} messages, ${resends} resends, ${events.length} log records, ${duplicateRecords} records sharing an eventId`,
        );
        expect(new Set(ids).size).toBe(total);
      } finally {
        client?.close();
        await service.close();
        await stopKafkaCluster(layout);
        await rm(dir, { recursive: true, force: true });
      }
    }, 240_000);
});
