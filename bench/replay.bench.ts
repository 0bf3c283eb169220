/**
 * Rebuild and audit over the shared canonical topic (1M events × BENCH_SCALE, ~20 per patient),
 * on one database: the GP view applied live as the service runs it; then
 * `npm run replay -- rebuild gp-view` (replay/rebuildView.ts: shadow tables from offset 0,
 * checksums, atomic swap) against that live rate and against COPY of the view's final rows;
 * then the audit index over the same log, and one patient's timeline through the HTTP API (bearer
 * token verified) at 100 requests/s, the latency counted from when each request was due. I/O.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify from 'fastify';
import { to as copyTo } from 'pg-copy-streams';
import { auditRoutes } from '../api/auditRoutes.js';
import { authFromConfig, registerAuth } from '../api/authPlugin.js';
import { registerProblemHandler } from '../api/problemDetails.js';
import { liveViews } from '../consumers/views.js';
import { loadConfig } from '../platform/config.js';
import type { Pool } from '../platform/postgres.js';
import { auditEventsIndex } from '../projections/audit-index/auditEventsIndex.js';
import { rebuildableViews } from '../replay/rebuildableViews.js';
import { rebuildView } from '../replay/rebuildView.js';
import { type BenchContext, type Benchmark, type BenchRow, benchLogger, percentile } from './benchmark.js';
import { benchToken } from './benchToken.js';
import { type CanonicalTopic, sharedCanonicalTopic } from './canonicalTopic.js';
import { testRangeNhsNumbers } from './canonicalWorkload.js';
import { copyIntoClone } from './copyPeer.js';
import {
  type ApplyRun,
  applyExactlyOnce,
  catchUpFetch,
  describeFetch,
  requireCaughtUp,
  serviceFetch,
  withFreshDatabase,
} from './viewApply.js';

const EVENTS = 1_000_000;
const PATIENTS = 50_000;
const QUERY_RATE = 100;
const QUERY_SECONDS = 30;
const QUERY_P99_TARGET_MS = 50;

type Rebuild = { readonly seconds: number; readonly catchUpEventsPerSecond: number; readonly checksum: string };

/** `npm run replay -- rebuild gp-view`, in-process, timed from the call to the swap. */
async function rebuildGpView(context: BenchContext, log: CanonicalTopic, pool: Pool): Promise<Rebuild> {
  const started = performance.now();
  let printedAt = started;
  const outcome = await rebuildView(
    {
      kafka: log.kafka,
      pool,
      codec: log.codec,
      topic: log.topic,
      groupPrefix: `bench-${randomBytes(4).toString('hex')}`,
      logger: benchLogger(),
      progress: (line) => {
        if (performance.now() - printedAt < 10_000 && !line.includes('swapped')) return;
        printedAt = performance.now();
        context.progress(`  ${line}`);
      },
    },
    rebuildableViews['gp-view'],
    { dropOld: true },
  );
  const seconds = (performance.now() - started) / 1000;
  if (outcome.kind !== 'swapped') throw new Error(`the rebuild did not swap: ${outcome.kind}`);
  const { live, rebuilt } = outcome.swap.compared;
  if (live.checksum.md5 !== rebuilt.checksum.md5 || live.checksum.rows !== rebuilt.checksum.rows)
    throw new Error(
      `rebuilt gp-view differs from live: ${rebuilt.checksum.md5} (${rebuilt.checksum.rows} rows) vs ${live.checksum.md5} (${live.checksum.rows} rows)`,
    );
  return { seconds, catchUpEventsPerSecond: outcome.eventsPerSecond, checksum: rebuilt.checksum.md5 };
}

/** COPY TO of the view's final rows (setup), then COPY FROM into an unindexed clone (measured); seconds. */
async function copyFinalRows(pool: Pool): Promise<{ readonly seconds: number; readonly rows: number }> {
  const chunks: Buffer[] = [];
  const client = await pool.connect();
  try {
    const out = client.query(copyTo('COPY (SELECT nhs_number, state FROM gp_view_patients) TO STDOUT'));
    for await (const chunk of out) chunks.push(chunk as Buffer);
  } finally {
    client.release();
  }
  const rows = chunks.reduce((n, c) => n + c.filter((b) => b === 0x0a).length, 0);
  return { seconds: await copyIntoClone(pool, 'gp_view_patients', ['nhs_number', 'state'], chunks, rows), rows };
}

/**
 * The audit API alone (fastify, the service's token check, the audit routes, the pool) and an
 * open loop of timeline requests for random patients, each with a GP's token from the
 * development issuer (as the service would trust it, its key under LOCAL_STACK_DIR) minted
 * before the loop; latency from the due time, so a backlog shows.
 */
async function timelineLatency(pool: Pool, nhsNumbers: readonly string[], requests: number): Promise<number[]> {
  const config = loadConfig({ PATH: process.env.PATH });
  const app = Fastify();
  // Access records are kept in memory here: this measures the timeline query; the cost of
  // writing them to Kafka is measured by the access benchmark.
  const recorded: unknown[] = [];
  registerAuth(app, {
    ...(await authFromConfig(config.auth, config.localStack.dir)),
    recordAccess: async (records) => {
      recorded.push(...records);
    },
    clock: () => new Date(),
  });
  registerProblemHandler(app);
  await app.register(auditRoutes, { pool });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const authorization = `Bearer ${await benchToken(config, 'gp')}`;
  const latenciesMs: number[] = [];
  try {
    const answered: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < requests; i += 1) {
      const dueAt = started + (i * 1000) / QUERY_RATE;
      const wait = dueAt - performance.now();
      if (wait >= 1) await delay(wait);
      const nhs = nhsNumbers[(i * 7919) % nhsNumbers.length] as string;
      answered.push(
        fetch(`${base}/audit/patients/${nhs}/timeline`, { headers: { authorization } }).then(async (response) => {
          const body = (await response.json()) as { events?: unknown[] };
          if (response.status !== 200 || (body.events?.length ?? 0) === 0)
            throw new Error(`timeline of a known patient: expected 200 with events, got ${response.status}`);
          latenciesMs.push(performance.now() - dueAt);
        }),
      );
    }
    await Promise.all(answered);
  } finally {
    await app.close();
  }
  return latenciesMs;
}

export const replayBenchmark: Benchmark = {
  name: 'replay',
  async run(context): Promise<readonly BenchRow[]> {
    const eventCount = Math.max(1000, Math.round(EVENTS * context.scale));
    const patientCount = Math.max(50, Math.round(PATIENTS * context.scale));
    const log = await sharedCanonicalTopic(context, eventCount, patientCount);
    const deps = { kafka: log.kafka, codec: log.codec, topic: log.topic, ends: log.ends };
    const suffix = randomBytes(4).toString('hex');

    return withFreshDatabase(context, `${suffix}_replay`, async (pool) => {
      context.progress(`GP view, live apply as the service runs it (${describeFetch(serviceFetch)})…`);
      const live = await applyExactlyOnce({ ...deps, pool }, liveViews['gp-view'], context.progress, serviceFetch);
      await requireCaughtUp(pool, 'gp-view', log.topic, log.ends);
      context.progress(`  ${live.events} events: ${Math.round(live.eventsPerSecond)}/s`);

      context.progress('rebuild gp-view from offset 0 into shadow tables, then swap…');
      const rebuild = await rebuildGpView(context, log, pool);
      context.progress(
        `  ${rebuild.seconds.toFixed(1)} s to the swap; catch-up ${Math.round(rebuild.catchUpEventsPerSecond)} events/s; checksum ${rebuild.checksum}`,
      );

      context.progress('COPY of the final GP-view rows into an unindexed clone…');
      const copy = await copyFinalRows(pool);
      context.progress(`  ${copy.rows} rows in ${copy.seconds.toFixed(2)} s`);

      context.progress(`audit index over the log (${describeFetch(catchUpFetch)})…`);
      const audit: ApplyRun = await applyExactlyOnce({ ...deps, pool }, auditEventsIndex, context.progress);
      await requireCaughtUp(pool, auditEventsIndex.name, log.topic, log.ends);
      context.progress(`  ${audit.events} events indexed: ${Math.round(audit.eventsPerSecond)}/s`);
      await pool.query('VACUUM ANALYZE audit_events');

      const requests = Math.max(300, Math.round(QUERY_RATE * QUERY_SECONDS * Math.min(1, context.scale * 4)));
      context.progress(`${requests} timeline requests at ${QUERY_RATE}/s…`);
      const latencies = await timelineLatency(pool, testRangeNhsNumbers(patientCount), requests);

      const n = `${Math.round(log.events / 1000)}k events, ${Math.round(patientCount / 1000)}k patients, ${log.partitions} partitions`;
      const timeline = (p: number): BenchRow => ({
        metric: `GET /audit/patients/{nhs}/timeline at ${QUERY_RATE} req/s among ${Math.round(log.events / 1000)}k events, p${p} (ms)`,
        unit: 'ms',
        ours: percentile(latencies, p),
        peer: undefined,
        peerName:
          p === 99
            ? `${latencies.length} requests, random patients, from due time; target < ${QUERY_P99_TARGET_MS} ms`
            : `${latencies.length} requests`,
        higherIsBetter: false,
      });
      return [
        {
          metric: `rebuild gp-view, catch-up (${n}; events/s)`,
          unit: 'events/s',
          ours: rebuild.catchUpEventsPerSecond,
          peer: live.eventsPerSecond,
          peerName: `live exactly-once apply as the service runs it (${describeFetch(serviceFetch)}); target ≥ 200 %`,
          higherIsBetter: true,
        },
        {
          metric: `rebuild gp-view, call to swap incl. checksums (${n}; s)`,
          unit: 's',
          ours: rebuild.seconds,
          peer: copy.seconds,
          peerName: `COPY FROM STDIN of the final ${copy.rows} rows into an unindexed clone of gp_view_patients`,
          higherIsBetter: false,
        },
        {
          metric: `audit index, exactly-once (${n}; events/s)`,
          unit: 'events/s',
          ours: audit.eventsPerSecond,
          peer: live.eventsPerSecond,
          peerName: 'live GP-view apply above',
          higherIsBetter: true,
        },
        timeline(50),
        timeline(99),
      ];
    });
  },
};
