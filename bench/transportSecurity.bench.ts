/**
 * What SASL_SSL costs: the adapters' publish path and the GP view's exactly-once apply against a
 * secured broker (TLS, SCRAM-SHA-512, ACLs: the secured local stack's configuration, the client
 * publishing as the `service` principal with only its namespace's ACLs, the apply as `admin`) and against the run's
 * plain broker (PLAINTEXT), same Kafka version, same machine, same run, in alternating rounds.
 * Publish: 32 writers each publishing one event at a time through the service's publisher
 * (group commit, acks=all), as ingest does; apply: the canonical workload applied to a fresh
 * database by the consumer the service runs. Target: the secured rate ≥ 85 % of the plain one.
 * I/O.
 */
import { randomBytes } from 'node:crypto';
import { liveViews } from '../consumers/views.js';
import { loadStackSecurity, type StackSecurity } from '../local-stack/certificates.js';
import { applyStackAcls, asPrincipal } from '../local-stack/secureKafkaClient.js';
import { startTemporaryKafka } from '../local-stack/temporaryKafka.js';
import { loadConfig } from '../platform/config.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { createKafkaClient } from '../platform/kafka.js';
import type { KafkaClientSecurity } from '../platform/kafkaSecurity.js';
import type { ClinicalEvent } from '../schemas/generated/events.js';
import { topicNames, topicSpecs } from '../schemas/topics.js';
import { type BenchContext, type Benchmark, type BenchRow, percentile } from './benchmark.js';
import { benchPublisher } from './benchPublisher.js';
import { sharedCanonicalTopic } from './canonicalTopic.js';
import { canonicalWorkload } from './canonicalWorkload.js';
import { applyExactlyOnce, withFreshDatabase } from './viewApply.js';

const PUBLISH_EVENTS = 40_000;
const APPLY_EVENTS = 200_000;
const PATIENTS = 10_000;
const WRITERS = 32;
const ROUNDS = 4;
const COST_TARGET_PERCENT = 15;

type Cluster = { readonly name: string; readonly brokers: readonly string[]; readonly security?: KafkaClientSecurity };

/** Events per second and node CPU per event of publishing `events` through the service's publisher. */
async function publishRate(
  context: BenchContext,
  cluster: Cluster,
  events: readonly ClinicalEvent[],
  material: StackSecurity | undefined,
): Promise<{ readonly rate: number; readonly cpuMicros: number }> {
  const namespace = `bench-tls-${randomBytes(4).toString('hex')}`;
  const topics = topicNames(namespace);
  const setup = createKafkaClient({
    brokers: cluster.brokers,
    clientId: 'bench-tls-setup',
    ...(material === undefined ? {} : { security: asPrincipal(material, 'admin') }),
  });
  await ensureTopics(setup, topicSpecs({ namespace, partitions: 6, brokerCount: 1 }));
  // The service principal gets what the secured stack grants it on its namespace, nothing more.
  if (material !== undefined) await applyStackAcls({ brokers: cluster.brokers, security: material, namespace });
  const kafka = createKafkaClient({
    brokers: cluster.brokers,
    clientId: 'bench-tls',
    ...(cluster.security === undefined ? {} : { security: cluster.security }),
  });
  const publisher = await benchPublisher(context, kafka, topics);
  try {
    await publisher.publishEvents(events.slice(0, 100)); // connect and warm up
    let next = 100;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = next++; i < events.length; i = next++) await publisher.publishEvents([events[i] as ClinicalEvent]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const published = events.length - 100;
    return { rate: published / seconds, cpuMicros: (used.user + used.system) / published };
  } finally {
    await publisher.close();
  }
}

export const transportSecurityBenchmark: Benchmark = {
  name: 'transport-security',
  async run(context): Promise<readonly BenchRow[]> {
    const config = loadConfig();
    if (config.kafkaBrokers !== 'local-stack') {
      context.progress('KAFKA_BROKERS names a cluster: the SASL_SSL comparison needs the local brokers; skipped');
      return [];
    }
    context.progress('starting a secured broker beside the run’s plain one (SASL_SSL, SCRAM-SHA-512, ACLs)…');
    const secured = await startTemporaryKafka(config, {
      prefix: 'cel-bench-secure-kafka-',
      secure: true,
      onProgress: context.progress,
    });
    try {
      const securityDir = secured.securityDir;
      if (securityDir === undefined) throw new Error('the secured bench broker has no security material');
      const material = await loadStackSecurity(securityDir);
      const adminSecurity = asPrincipal(material, 'admin');
      const plain: Cluster = { name: 'PLAINTEXT', brokers: context.kafkaBrokers };
      const tls: Cluster = { name: 'SASL_SSL', brokers: secured.brokers, security: asPrincipal(material, 'service') };

      const publishEvents = [
        ...canonicalWorkload(Math.max(2000, Math.round(PUBLISH_EVENTS * context.scale)), PATIENTS),
      ];
      const applyEvents = Math.max(5000, Math.round(APPLY_EVENTS * context.scale));
      const patients = Math.max(100, Math.round(PATIENTS * context.scale));

      // The canonical workload on each broker (setup, not measured), read back over the same connection.
      const logs = new Map<Cluster, Awaited<ReturnType<typeof sharedCanonicalTopic>>>();
      logs.set(plain, await sharedCanonicalTopic(context, applyEvents, patients));
      logs.set(
        tls,
        await sharedCanonicalTopic(
          { ...context, kafkaBrokers: tls.brokers, kafkaSecurity: adminSecurity },
          applyEvents,
          patients,
        ),
      );

      const measured = new Map<Cluster, { publish: number[]; cpu: number[]; apply: number[] }>([
        [plain, { publish: [], cpu: [], apply: [] }],
        [tls, { publish: [], cpu: [], apply: [] }],
      ]);
      for (let round = 0; round < ROUNDS; round += 1) {
        // Alternating order: a busy moment of the machine falls on both.
        for (const cluster of round % 2 === 0 ? [plain, tls] : [tls, plain]) {
          const m = measured.get(cluster);
          const log = logs.get(cluster);
          if (m === undefined || log === undefined) continue;
          const published = await publishRate(context, cluster, publishEvents, cluster === tls ? material : undefined);
          m.publish.push(published.rate);
          m.cpu.push(published.cpuMicros);
          context.progress(
            `${cluster.name} round ${round + 1}: publish ${Math.round(published.rate)} events/s, ${Math.round(published.cpuMicros)} µs CPU/event`,
          );
          const applied = await withFreshDatabase(context, `tls_${round}_${cluster.name.toLowerCase()}`, (pool) =>
            applyExactlyOnce(
              {
                kafka: log.kafka,
                pool,
                codec: log.codec,
                topic: log.topic,
                ends: log.ends,
              },
              liveViews['gp-view'],
              context.progress,
            ),
          );
          m.apply.push(applied.eventsPerSecond);
          context.progress(
            `${cluster.name} round ${round + 1}: GP view apply ${Math.round(applied.eventsPerSecond)} events/s`,
          );
        }
      }
      const of = (cluster: Cluster) => measured.get(cluster) as { publish: number[]; cpu: number[]; apply: number[] };
      const peerName = `the same path over PLAINTEXT to a plain broker of the same Kafka version, same run; median of ${ROUNDS} rounds; target cost < ${COST_TARGET_PERCENT} % (ratio ≥ ${100 - COST_TARGET_PERCENT} %)`;
      return [
        {
          metric: `publish over SASL_SSL (SCRAM-SHA-512, as service), ${WRITERS} writers × 1 event, acks=all (events/s)`,
          unit: 'events/s',
          ours: percentile(of(tls).publish, 50),
          peer: percentile(of(plain).publish, 50),
          peerName,
          higherIsBetter: true,
        },
        {
          metric: 'publish over SASL_SSL, node CPU per event (µs)',
          unit: 'µs',
          ours: percentile(of(tls).cpu, 50),
          peer: percentile(of(plain).cpu, 50),
          peerName: 'the same over PLAINTEXT, same run (process.cpuUsage)',
          higherIsBetter: false,
        },
        {
          metric: `GP view exactly-once apply over SASL_SSL, ${applyEvents} events (events/s)`,
          unit: 'events/s',
          ours: percentile(of(tls).apply, 50),
          peer: percentile(of(plain).apply, 50),
          peerName,
          higherIsBetter: true,
        },
      ];
    } finally {
      await secured.stop();
    }
  },
};
