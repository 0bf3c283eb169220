/**
 * What the trust boundary costs a read: `GET /patients/{nhs}/gp-summary` and a page of
 * `GET /audit/patients/{nhs}/timeline` through the service's own `buildApi` (bearer token
 * verified against the development issuer, the access policy applied, and an AccessRecord
 * written to the run's Kafka broker through the adapters' publisher, acks=all, and acknowledged
 * before each answer leaves), against a bench-only app with the same route plugins, the same
 * fastify options and hardening, and no token check and no recording. A third app, buildApi with
 * the records kept in memory, splits the cost between the check and the Kafka write. Each route
 * and app: closed-loop throughput with 16 keep-alive clients and the serving thread's CPU time per
 * request, and an open loop at 200 req/s with latency from each request's due time. The load runs
 * in a worker thread, so the server's event loop carries only the server. Setup (not measured): a canonical topic of 100k events over 5k
 * patients (both × BENCH_SCALE), applied to the GP view and the audit index. I/O.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { auditRoutes } from '../api/auditRoutes.js';
import { authFromConfig } from '../api/authPlugin.js';
import { buildApi } from '../api/buildApi.js';
import { CORRELATION_HEADER } from '../api/correlationIdHeader.js';
import type { HttpHardening } from '../api/httpHardening.js';
import { registerHardening } from '../api/httpHardening.js';
import { registerProblemHandler } from '../api/problemDetails.js';
import { strictParameters } from '../api/strictParameters.js';
import { viewRoutes } from '../api/viewRoutes.js';
import { liveViews } from '../consumers/views.js';
import { loadConfig } from '../platform/config.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createPool, type Pool } from '../platform/postgres.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import { auditEventsIndex } from '../projections/audit-index/auditEventsIndex.js';
import type { AccessRecord } from '../schemas/generated/events.js';
import { topicNames, topicSpecs } from '../schemas/topics.js';
import { type BenchContext, type Benchmark, type BenchRow, benchLogger, percentile } from './benchmark.js';
import { benchPublisher } from './benchPublisher.js';
import { benchToken } from './benchToken.js';
import { sharedCanonicalTopic } from './canonicalTopic.js';
import { applyExactlyOnce, requireCaughtUp, withFreshDatabase } from './viewApply.js';

const EVENTS = 100_000;
const PATIENTS = 5_000;
const PARTITIONS = 6;
const CLIENTS = 16;
/** Per round; the rate reported is the median of the rounds. */
const CLOSED_REQUESTS = 3_000;
const ROUNDS = 3;
const WARM_UP_REQUESTS = 300;
const OPEN_RATE = 200;
const OPEN_SECONDS = 10;
const P99_TARGET_MS = 20;
const COST_TARGET_PERCENT = 25;

/** Both apps: no per-client limit in reach (one token makes every request), the rest as the service's defaults. */
const HARDENING: HttpHardening = { rateLimit: 1_000_000, rateLimitWindowSeconds: 60, allowedHosts: 'any' };

type LoadRequest =
  | {
      readonly mode: 'closed';
      readonly urls: readonly string[];
      readonly authorization?: string;
      readonly clients: number;
      readonly requests: number;
    }
  | {
      readonly mode: 'open';
      readonly urls: readonly string[];
      readonly authorization?: string;
      readonly rate: number;
      readonly requests: number;
    };

type LoadResult = {
  readonly seconds: number;
  readonly latenciesMs: readonly number[];
  readonly failures: number;
  readonly firstFailure: string | undefined;
};

/**
 * The load generator, run in a worker thread (plain JavaScript: the worker loads no project
 * module). Node's fetch keeps connections alive in its global pool. Closed loop: each client
 * sends its next request when the previous answer is read. Open loop: requests fall due at a
 * fixed rate whether or not earlier ones were answered, latency counted from the due time.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { mode, urls, authorization, clients, rate, requests } = workerData;
const headers = authorization === undefined ? {} : { authorization };
const latenciesMs = [];
let failures = 0;
let firstFailure;
const one = async (i, from) => {
  try {
    const response = await fetch(urls[(i * 7919) % urls.length], { headers });
    const body = await response.text();
    if (response.status === 200) return void latenciesMs.push(performance.now() - from);
    failures += 1;
    firstFailure ??= response.status + ': ' + body.slice(0, 300);
  } catch (error) {
    failures += 1;
    firstFailure ??= String(error) + (error.cause === undefined ? '' : ' (' + String(error.cause) + ')');
  }
};
(async () => {
  const started = performance.now();
  if (mode === 'closed') {
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = next++; i < requests; i = next++) await one(i, performance.now());
    }));
  } else {
    const answered = [];
    for (let i = 0; i < requests; i += 1) {
      const dueAt = started + (i * 1000) / rate;
      const wait = dueAt - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      answered.push(one(i, dueAt));
    }
    await Promise.all(answered);
  }
  parentPort.postMessage({ seconds: (performance.now() - started) / 1000, latenciesMs, failures, firstFailure });
})().catch((error) => parentPort.postMessage({ seconds: 0, latenciesMs: [], failures: requests, firstFailure: String(error) }));
`;

function runLoad(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: request });
    worker.once('message', (result: LoadResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

async function load(request: LoadRequest, app: string): Promise<LoadResult> {
  const result = await runLoad(request);
  if (result.failures > 0)
    throw new Error(
      `${app}: ${result.failures} of ${request.requests} requests not answered 200; first ${result.firstFailure}`,
    );
  return result;
}

/** The routes' collaborators the measured reads never reach. */
const noIngest: IngestService = {
  ingest: () => Promise.reject(new Error('the access benchmark ingests nothing')),
  redrive: () => Promise.reject(new Error('the access benchmark ingests nothing')),
  idle: () => Promise.resolve(),
  releaseResolvable: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/**
 * The peer, bench-only: buildApi's fastify options, parameter rules, hardening, correlation-id
 * hooks, problem handler and the view and audit route plugins, without registerAuth (so no
 * token check, no policy, no access record; `request.principal` is undefined, which these
 * routes do not read). Kept in step with api/buildApi.ts by hand.
 */
async function buildPeer(pool: Pool): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: benchLogger().child({ module: 'http' }),
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    bodyLimit: 4 * 1024 * 1024,
    routerOptions: { maxParamLength: 1000 },
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  app.addHook('onRoute', strictParameters);
  await registerHardening(app, HARDENING);
  app.addHook('onSend', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, String(request.id));
  });
  registerProblemHandler(app);
  await app.register(viewRoutes, { pool });
  await app.register(auditRoutes, { pool });
  return app;
}

type App = { readonly name: string; readonly base: string; readonly authorization: string | undefined };
/** Medians over the closed-loop rounds (rate; the serving thread's CPU per request, µs); the open loop's latencies of every round. */
type Measured = {
  readonly reqPerSecond: number;
  readonly cpuMicrosPerRequest: number;
  readonly latenciesMs: readonly number[];
};

const throughput = (r: LoadResult) => r.latenciesMs.length / r.seconds;

export const accessBenchmark: Benchmark = {
  name: 'access',
  async run(context: BenchContext): Promise<readonly BenchRow[]> {
    const eventCount = Math.max(2000, Math.round(EVENTS * context.scale));
    const patientCount = Math.max(100, Math.round(PATIENTS * context.scale));
    const log = await sharedCanonicalTopic(context, eventCount, patientCount);
    const deps = { kafka: log.kafka, codec: log.codec, topic: log.topic, ends: log.ends };
    const suffix = randomBytes(4).toString('hex');

    return withFreshDatabase(context, `${suffix}_access`, async (setupPool, databaseUrl) => {
      context.progress(`GP view and audit index over ${log.events} events (setup)…`);
      await applyExactlyOnce({ ...deps, pool: setupPool }, liveViews['gp-view'], context.progress);
      await requireCaughtUp(setupPool, 'gp-view', log.topic, log.ends);
      await applyExactlyOnce({ ...deps, pool: setupPool }, auditEventsIndex, context.progress);
      await requireCaughtUp(setupPool, auditEventsIndex.name, log.topic, log.ends);
      await setupPool.query('VACUUM ANALYZE');
      const known = await setupPool.query<{ nhs_number: string }>(
        `SELECT nhs_number FROM gp_view_patients
          WHERE nhs_number IN (SELECT DISTINCT nhs_number FROM audit_events) ORDER BY nhs_number`,
      );
      const patients = known.rows.map((r) => r.nhs_number.trim());
      if (patients.length === 0) throw new Error('no patient is in both the GP view and the audit index');

      // The access-log topic and its schema, and the adapters' publisher, as the service wires them.
      const namespace = `bench-access-${suffix}`;
      const topics = topicNames(namespace);
      const kafka = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench-access' });
      await ensureTopics(
        kafka,
        topicSpecs({ namespace, partitions: PARTITIONS, brokerCount: context.kafkaBrokers.length }),
      );
      const publisher = await benchPublisher(context, kafka, topics);

      const config = loadConfig({ PATH: process.env.PATH });
      const trust = await authFromConfig(config.auth, config.localStack.dir);
      const authorization = `Bearer ${await benchToken(config, 'gp')}`;
      const pool = createPool(databaseUrl, { applicationName: 'cel-bench-access' });
      let kept = 0;
      let kafkaWrites = 0;
      const service = (recordAccess: (records: readonly AccessRecord[]) => Promise<void>) =>
        buildApi({
          logger: benchLogger(),
          pool,
          ingest: noIngest,
          checks: {},
          auth: { ...trust, recordAccess, clock: () => new Date() },
          hardening: HARDENING,
          clock: () => new Date(),
        });
      const servers: FastifyInstance[] = [];
      const listen = async (app: FastifyInstance, name: string, auth: string | undefined): Promise<App> => {
        servers.push(app);
        return { name, base: await app.listen({ host: '127.0.0.1', port: 0 }), authorization: auth };
      };
      try {
        const production = await listen(
          await service((records) => {
            kafkaWrites += 1;
            return publisher.publishAccess(records);
          }),
          'buildApi, access records to Kafka',
          authorization,
        );
        const inMemory = await listen(
          await service(async (records) => {
            kept += records.length;
          }),
          'buildApi, access records in memory',
          authorization,
        );
        const peer = await listen(await buildPeer(pool), 'peer', undefined);
        const apps = [peer, production, inMemory] as const;

        const closedRequests = Math.max(600, Math.round(CLOSED_REQUESTS * Math.min(1, context.scale * 4)));
        const openRequestsPerRound = Math.round((OPEN_RATE * OPEN_SECONDS) / ROUNDS);
        const openRequests = openRequestsPerRound * ROUNDS;
        const routes = [
          { label: 'GET /patients/{nhs}/gp-summary', path: (nhs: string) => `/patients/${nhs}/gp-summary` },
          {
            label: 'GET /audit/patients/{nhs}/timeline (first page)',
            path: (nhs: string) => `/audit/patients/${nhs}/timeline`,
          },
        ] as const;
        let sentToProduction = 0;
        const results = new Map<string, Measured>();
        for (const route of routes) {
          const request = (app: App) => ({
            urls: patients.map((nhs) => `${app.base}${route.path(nhs)}`),
            ...(app.authorization === undefined ? {} : { authorization: app.authorization }),
          });
          const measured = new Map(
            apps.map((app) => [app, { closed: [] as number[], cpu: [] as number[], open: [] as number[] }]),
          );
          const sent = (app: App, requests: number) => {
            if (app === production) sentToProduction += requests;
          };
          for (const app of apps) {
            await load({ mode: 'closed', ...request(app), clients: CLIENTS, requests: WARM_UP_REQUESTS }, app.name);
            sent(app, WARM_UP_REQUESTS);
          }
          // Rounds, each app once per round in a rotating order: a busy moment of a shared machine
          // falls on all three rather than on one.
          const inRound = (round: number) => apps.map((_, i) => apps[(i + round) % apps.length] as App);
          for (let round = 0; round < ROUNDS; round += 1) {
            for (const app of inRound(round)) {
              // This thread runs only the server under load (the clients are in the worker): its CPU
              // time per request is the cost, and varies less than the rate on a shared machine.
              const cpuBefore = process.threadCpuUsage();
              const result = await load(
                { mode: 'closed', ...request(app), clients: CLIENTS, requests: closedRequests },
                app.name,
              );
              const cpu = process.threadCpuUsage(cpuBefore);
              const cpuPerRequest = (cpu.user + cpu.system) / closedRequests;
              sent(app, closedRequests);
              measured.get(app)?.closed.push(throughput(result));
              measured.get(app)?.cpu.push(cpuPerRequest);
              context.progress(
                `${route.label}, ${app.name}, closed loop round ${round + 1}: ${Math.round(throughput(result))} req/s, ${Math.round(cpuPerRequest)} µs CPU/request`,
              );
            }
          }
          for (let round = 0; round < ROUNDS; round += 1) {
            for (const app of inRound(round)) {
              const open = await load(
                { mode: 'open', ...request(app), rate: OPEN_RATE, requests: openRequestsPerRound },
                app.name,
              );
              sent(app, openRequestsPerRound);
              measured.get(app)?.open.push(...open.latenciesMs);
              context.progress(
                `${route.label}, ${app.name}, ${OPEN_RATE} req/s round ${round + 1}: p50 ${percentile(open.latenciesMs, 50).toFixed(2)} ms, p99 ${percentile(open.latenciesMs, 99).toFixed(2)} ms`,
              );
            }
          }
          for (const app of apps) {
            const m = measured.get(app);
            if (m !== undefined)
              results.set(`${route.label}|${app.name}`, {
                reqPerSecond: percentile(m.closed, 50),
                cpuMicrosPerRequest: percentile(m.cpu, 50),
                latenciesMs: m.open,
              });
          }
        }

        // Every answer the production app gave was acknowledged in the access-log topic.
        const admin = kafka.admin();
        await admin.connect();
        const offsets = await admin.fetchTopicOffsets(topics.access);
        await admin.disconnect();
        const written = offsets.reduce((n, o) => n + Number(o.high), 0);
        if (written < sentToProduction)
          throw new Error(`${sentToProduction} answers but only ${written} access records on ${topics.access}`);
        context.progress(
          `${written} access records on the access-log topic for ${sentToProduction} answers, in ${kafkaWrites} acknowledged writes (${(written / Math.max(1, kafkaWrites)).toFixed(1)} records per write, the lone reads of the open loop included); ${kept} kept in memory`,
        );

        const rows: BenchRow[] = [];
        const peerName =
          'same fastify options, hardening and route plugins, no token check or access record (bench-only app)';
        for (const route of routes) {
          const of = (app: App) => results.get(`${route.label}|${app.name}`) as Measured;
          const scope = `${patients.length} patients, ${Math.round(log.events / 1000)}k events`;
          rows.push(
            {
              metric: `${route.label}, token + access record to Kafka, ${CLIENTS} keep-alive clients, closed loop (${scope}; req/s)`,
              unit: 'req/s',
              ours: of(production).reqPerSecond,
              peer: of(peer).reqPerSecond,
              peerName: `${peerName}; median of ${ROUNDS} rounds of ${closedRequests} requests; target cost < ${COST_TARGET_PERCENT} % (ratio ≥ ${100 - COST_TARGET_PERCENT} %)`,
              higherIsBetter: true,
            },
            {
              metric: `${route.label}, token + access record kept in memory, closed loop (req/s)`,
              unit: 'req/s',
              ours: of(inMemory).reqPerSecond,
              peer: of(peer).reqPerSecond,
              peerName: `${peerName}: the token check's share`,
              higherIsBetter: true,
            },
          );
          for (const [app, what] of [
            [production, 'token + access record to Kafka'],
            [inMemory, 'token + access record kept in memory'],
          ] as const) {
            rows.push({
              metric: `${route.label}, ${what}, serving thread CPU per request, closed loop (µs)`,
              unit: 'µs',
              ours: of(app).cpuMicrosPerRequest,
              peer: of(peer).cpuMicrosPerRequest,
              peerName: `${peerName}; median of ${ROUNDS} rounds (process.threadCpuUsage of the thread serving; clients in a worker)`,
              higherIsBetter: false,
            });
          }
          for (const p of [50, 99] as const) {
            rows.push({
              metric: `${route.label}, token + access record to Kafka, at ${OPEN_RATE} req/s, p${p} (ms)`,
              unit: 'ms',
              ours: percentile(of(production).latenciesMs, p),
              peer: percentile(of(peer).latenciesMs, p),
              peerName: `${peerName}; ${openRequests} requests (${ROUNDS} rounds) from due time${p === 99 ? `; target < ${P99_TARGET_MS} ms` : ''}`,
              higherIsBetter: false,
            });
          }
        }
        return rows;
      } finally {
        for (const server of servers) await server.close();
        await publisher.close();
        await pool.end();
      }
    });
  },
};
