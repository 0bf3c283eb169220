/**
 * The views' live apply. A canonical topic of 1M events (× BENCH_SCALE, ~20 per patient) is
 * produced once; then, each on a fresh database, the exactly-once consumer applies it (GP and
 * pharmacy views), an at-least-once loop applies it with the same decode, fold and state SQL
 * but none of the exactly-once bookkeeping, and COPY loads rows into an unindexed clone of the
 * GP table twice: the state row versions the apply itself writes (captured from an untimed run
 * of the loop; one per patient per batch, each the patient's whole state), and one row per
 * event (the state that event alone folds to). Last, the whole service in-process: JSON POST →
 * visible in the GP view, at 20 % of the maximum rate. I/O.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { liveViews } from '../consumers/views.js';
import { loadConfig } from '../platform/config.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { createKafkaClient } from '../platform/kafka.js';
import { gpView } from '../projections/gp-view/gpView.js';
import { topicSpecs } from '../schemas/topics.js';
import { type RunningService, runService } from '../service/runService.js';
import { type BenchContext, type Benchmark, type BenchRow, benchLogger, percentile } from './benchmark.js';
import { benchToken } from './benchToken.js';
import { sharedCanonicalTopic } from './canonicalTopic.js';
import { canonicalWorkload, testRangeNhsNumbers } from './canonicalWorkload.js';
import { copyIntoClone, copyText } from './copyPeer.js';
import {
  applyAtLeastOnce,
  applyExactlyOnce,
  captureWrittenRows,
  catchUpFetch,
  describeFetch,
  requireCaughtUp,
  withFreshDatabase,
} from './viewApply.js';

const EVENTS = 1_000_000;
const PATIENTS = 50_000;
const PARTITIONS = 6;
const JSON_CLIENTS = 16;
const LATENCY_SECONDS = 20;
const LATENCY_SHARE = 0.2;

/** One JSON-ingest submission of the 3 sample shapes, each a new fact for a patient of the population. */
function jsonSubmission(n: number, nhsNumber: string, run: string): string {
  const occurredAt = new Date(Date.parse('2026-03-04T10:00:00Z') + n * 1000).toISOString();
  const envelope = { nhsNumber, occurredAt, idempotencyKey: `bench-views-${run}-${n}` };
  switch (n % 3) {
    case 0:
      return JSON.stringify({
        type: 'MedicationOrdered',
        ...envelope,
        data: {
          orderId: `BV-RX-${n}`,
          code: '317972000',
          codeSystem: 'dm+d',
          display: 'Furosemide 40mg tablets',
          dose: '40',
          doseUnit: 'mg',
          route: 'PO',
          frequency: 'OM',
          prescriber: '9999105',
        },
      });
    case 1:
      return JSON.stringify({
        type: 'DiagnosisRecorded',
        ...envelope,
        data: {
          diagnosisId: `BV-DX-${n}`,
          code: '84114007',
          codeSystem: 'SNOMED-CT',
          display: 'Heart failure',
          verificationStatus: 'confirmed',
        },
      });
    default:
      return JSON.stringify({
        type: 'PatientDischarged',
        ...envelope,
        data: {
          visitId: `BV-V-${n}`,
          admittedAt: occurredAt,
          dischargedAt: occurredAt,
          dischargeMethod: '1',
          dischargeDestination: '19',
          organisation: 'RXX01',
          responsibleClinician: 'C9999005',
        },
      });
  }
}

async function postEvent(url: string, token: string, body: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': JSON.parse(body).idempotencyKey,
      authorization: `Bearer ${token}`,
    },
    body,
  });
  const answer = (await response.json()) as { eventIds?: string[] };
  const eventId = answer.eventIds?.[0];
  if (response.status !== 201 || eventId === undefined)
    throw new Error(`expected 201 with one event id; got ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  return eventId;
}

/**
 * Creates the service's topics before it starts, and waits until every partition answers a
 * ListOffsets: a fresh partition can still refuse one right after its leader shows in the
 * metadata, and the service's consumers ask for offsets at once.
 */
async function createReadyTopics(context: BenchContext, namespace: string): Promise<void> {
  const kafka = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench-views' });
  const specs = topicSpecs({ namespace, partitions: PARTITIONS, brokerCount: context.kafkaBrokers.length });
  await ensureTopics(kafka, specs);
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const spec of specs) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await admin.fetchTopicOffsets(spec.topic);
          break;
        } catch (error) {
          if (attempt >= 50) throw error;
          await delay(200);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

type Latency = {
  readonly jsonMaxRate: number;
  readonly offeredRate: number;
  readonly basis: string;
  readonly latenciesMs: readonly number[];
};

/**
 * The service in-process (JSON in, the three view consumers on): the maximum JSON rate from
 * closed-loop clients, then an open loop at 20 % of the lower of that and the exactly-once
 * apply rate; per event, POST start → its event id in the patient's GP-view state.
 */
async function endToEndLatency(
  context: BenchContext,
  suffix: string,
  applyRate: number,
  nhsNumbers: readonly string[],
): Promise<Latency> {
  return withFreshDatabase(context, `${suffix}_e2e`, async (pool, databaseUrl) => {
    const namespace = `bench-views-e2e-${suffix}`;
    const config = loadConfig({
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl.toString(),
      KAFKA_BROKERS: context.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: context.registryUrl,
      TOPIC_NAMESPACE: namespace,
      TOPIC_PARTITIONS: String(PARTITIONS),
      PORT: '0',
      MLLP_PORT: '0',
      KAFKA_VERSION: context.kafkaVersion,
    });
    let service: RunningService | undefined;
    try {
      context.progress('e2e: starting the service…');
      await createReadyTopics(context, namespace);
      service = await runService(config, { logger: benchLogger() });
      const url = `${service.httpUrl}/events`;
      const token = await benchToken(config, 'integration');
      let sent = 0;
      const next = () => {
        const n = sent++;
        return { n, body: jsonSubmission(n, nhsNumbers[(n * 7919) % nhsNumbers.length] as string, suffix) };
      };

      context.progress('e2e: warm-up, 200 JSON POSTs…');
      for (let i = 0; i < 200; i += 1) await postEvent(url, token, next().body);
      const closedRequests = Math.max(300, Math.round(4000 * context.scale));
      context.progress(`e2e: ${closedRequests} JSON POSTs from ${JSON_CLIENTS} clients for the maximum rate…`);
      let remaining = closedRequests;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: JSON_CLIENTS }, async () => {
          while (remaining > 0) {
            remaining -= 1;
            await postEvent(url, token, next().body);
          }
        }),
      );
      const jsonMaxRate = closedRequests / ((performance.now() - started) / 1000);
      const views = service.views;
      for (;;) {
        const lag = await views?.lag();
        if (lag === undefined || Object.values(lag).every((l) => l === 0)) break;
        await delay(100);
      }

      const ingestBound = jsonMaxRate <= applyRate;
      const offeredRate = LATENCY_SHARE * Math.min(jsonMaxRate, applyRate);
      const basis = ingestBound
        ? `20 % of the JSON ingest maximum (${Math.round(jsonMaxRate)}/s, below the apply rate)`
        : `20 % of the exactly-once apply rate (${Math.round(applyRate)}/s, below JSON ingest ${Math.round(jsonMaxRate)}/s)`;
      const seconds = Math.max(5, Math.round(LATENCY_SECONDS * Math.min(1, context.scale * 4)));
      const count = Math.round(offeredRate * seconds);
      context.progress(`e2e: ${count} POSTs at ${offeredRate.toFixed(0)}/s (${basis}), polling gp_view_patients…`);

      const pending = new Map<string, { nhsNumber: string; startedAt: number }>();
      const latenciesMs: number[] = [];
      let posting = true;
      const poller = (async () => {
        while (posting || pending.size > 0) {
          if (pending.size > 0) {
            const patients = [...new Set([...pending.values()].map((p) => p.nhsNumber))];
            const result = await pool.query<{ nhs_number: string; state: string }>(
              'SELECT nhs_number, state::text AS state FROM gp_view_patients WHERE nhs_number = ANY($1::text[])',
              [patients],
            );
            const now = performance.now();
            const states = new Map(result.rows.map((r) => [r.nhs_number, r.state]));
            for (const [eventId, p] of pending) {
              if (states.get(p.nhsNumber)?.includes(eventId) === true) {
                latenciesMs.push(now - p.startedAt);
                pending.delete(eventId);
              }
            }
          }
          await delay(2);
        }
      })();
      const posts: Promise<void>[] = [];
      const openStart = performance.now();
      for (let i = 0; i < count; i += 1) {
        const wait = openStart + (i * 1000) / offeredRate - performance.now();
        if (wait >= 1) await delay(wait);
        const { body } = next();
        const nhsNumber = (JSON.parse(body) as { nhsNumber: string }).nhsNumber;
        const startedAt = performance.now();
        posts.push(postEvent(url, token, body).then((eventId) => void pending.set(eventId, { nhsNumber, startedAt })));
      }
      await Promise.all(posts);
      posting = false;
      await poller;
      return { jsonMaxRate, offeredRate, basis, latenciesMs };
    } finally {
      await service?.close();
      const admin = createKafkaClient({ brokers: context.kafkaBrokers, clientId: 'bench-views' }).admin();
      await admin.connect();
      const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours });
      await admin.disconnect();
    }
  });
}

/** COPY text lines, one per event: the NHS number and the state that event alone folds to. */
function* copyChunksOf(events: number, patients: number): Generator<Buffer> {
  let lines: string[] = [];
  for (const event of canonicalWorkload(events, patients)) {
    const contribution = JSON.stringify(gpView.evolve(gpView.initialState, event));
    lines.push(`${event.patient.nhsNumber}\t${copyText(contribution)}\n`);
    if (lines.length >= 4000) {
      yield Buffer.from(lines.join(''));
      lines = [];
    }
  }
  if (lines.length > 0) yield Buffer.from(lines.join(''));
}

export const viewsBenchmark: Benchmark = {
  name: 'views',
  async run(context): Promise<readonly BenchRow[]> {
    const eventCount = Math.max(1000, Math.round(EVENTS * context.scale));
    const patientCount = Math.max(50, Math.round(PATIENTS * context.scale));
    const suffix = randomBytes(4).toString('hex');
    const log = await sharedCanonicalTopic(context, eventCount, patientCount);
    const { topic, ends } = log;
    const produced = log.events;
    const deps = { kafka: log.kafka, codec: log.codec, topic, ends };
    {
      // The peer first, on a database of its own, so the apply runs do not carry its rows in memory.
      // The rows are made up front, so the COPY measures the load and not the fold.
      const copyChunks = [...copyChunksOf(eventCount, patientCount)];
      const copyBytes = copyChunks.reduce((n, c) => n + c.length, 0);
      context.progress(`COPY ${produced} rows (${Math.round(copyBytes / 2 ** 20)} MiB) into an unindexed clone…`);
      const copySeconds = await withFreshDatabase(context, `${suffix}_copy`, (pool) =>
        copyIntoClone(pool, 'gp_view_patients', ['nhs_number', 'state'], copyChunks, produced),
      );
      const copyRate = produced / copySeconds;
      copyChunks.length = 0;

      context.progress('GP view, exactly-once live apply…');
      const gp = await withFreshDatabase(context, `${suffix}_gp_eo`, async (pool) => {
        const run = await applyExactlyOnce({ ...deps, pool }, liveViews['gp-view'], context.progress);
        await requireCaughtUp(pool, 'gp-view', topic, ends);
        const facts = await pool.query<{ patients: string; processed: string; mean_state: string }>(
          `SELECT (SELECT count(*) FROM gp_view_patients) AS patients,
                  (SELECT count(*) FROM view_processed_events) AS processed,
                  (SELECT avg(octet_length(state::text))::int FROM gp_view_patients) AS mean_state`,
        );
        const f = facts.rows[0];
        context.progress(
          `  ${run.events} events in ${run.wallSeconds.toFixed(1)} s (incl. join): ${Math.round(run.eventsPerSecond)}/s; ` +
            `${f?.patients} patients, ${f?.processed} processed events, mean state ${f?.mean_state} B`,
        );
        if (Number(f?.processed) !== produced)
          throw new Error(`${f?.processed} processed events, ${produced} produced`);
        return run;
      });

      context.progress('GP view, at-least-once loop…');
      const gpAtLeastOnce = await withFreshDatabase(context, `${suffix}_gp_alo`, async (pool) => {
        const run = await applyAtLeastOnce({ ...deps, pool }, liveViews['gp-view'], context.progress);
        await requireCaughtUp(pool, 'gp-view', topic, ends);
        context.progress(
          `  ${run.events} events in ${run.wallSeconds.toFixed(1)} s: ${Math.round(run.eventsPerSecond)}/s`,
        );
        return run;
      });

      context.progress('GP view, the same loop again, capturing the state rows it writes (not timed)…');
      const captureDir = await mkdtemp(join(tmpdir(), 'cel-bench-rows-'));
      let sameRows: { readonly rows: number; readonly bytes: number; readonly seconds: number };
      try {
        const captured = await withFreshDatabase(context, `${suffix}_gp_capture`, (pool) =>
          captureWrittenRows({ ...deps, pool }, liveViews['gp-view'], join(captureDir, 'rows.copy'), () => undefined),
        );
        context.progress(
          `COPY the ${captured.rows} row versions the apply wrote (${Math.round(captured.bytes / 2 ** 20)} MiB) into an unindexed clone…`,
        );
        const seconds = await withFreshDatabase(context, `${suffix}_copy_same`, (pool) =>
          copyIntoClone(
            pool,
            'gp_view_patients',
            ['nhs_number', 'state'],
            createReadStream(captured.file, { highWaterMark: 1 << 20 }),
            captured.rows,
          ),
        );
        sameRows = { rows: captured.rows, bytes: captured.bytes, seconds };
        context.progress(`  ${seconds.toFixed(1)} s`);
      } finally {
        await rm(captureDir, { recursive: true, force: true });
      }

      context.progress('pharmacy view, exactly-once live apply…');
      const pharmacy = await withFreshDatabase(context, `${suffix}_ph_eo`, async (pool) => {
        const run = await applyExactlyOnce({ ...deps, pool }, liveViews['pharmacy-view'], context.progress);
        await requireCaughtUp(pool, 'pharmacy-view', topic, ends);
        context.progress(
          `  ${run.events} events in ${run.wallSeconds.toFixed(1)} s: ${Math.round(run.eventsPerSecond)}/s`,
        );
        return run;
      });

      context.progress('pharmacy view, at-least-once loop…');
      const pharmacyAtLeastOnce = await withFreshDatabase(context, `${suffix}_ph_alo`, async (pool) => {
        const run = await applyAtLeastOnce({ ...deps, pool }, liveViews['pharmacy-view'], context.progress);
        await requireCaughtUp(pool, 'pharmacy-view', topic, ends);
        context.progress(
          `  ${run.events} events in ${run.wallSeconds.toFixed(1)} s: ${Math.round(run.eventsPerSecond)}/s`,
        );
        return run;
      });

      const latency = await endToEndLatency(context, suffix, gp.eventsPerSecond, testRangeNhsNumbers(patientCount));

      const n =
        `${Math.round(produced / 1000)}k events, ${Math.round(patientCount / 1000)}k patients, ${PARTITIONS} partitions; ` +
        describeFetch(catchUpFetch);
      const atLeastOnceName = 'at-least-once: same decode, fold and state SQL, 1 tx/batch, offset upserted';
      const rate = (view: string, measured: number, peer: number, peerName: string): BenchRow => ({
        metric: `${view} exactly-once live apply (${n}; events/s)`,
        unit: 'events/s',
        ours: measured,
        peer,
        peerName,
        higherIsBetter: true,
      });
      return [
        rate(
          'GP view',
          gp.eventsPerSecond,
          copyRate,
          'COPY FROM STDIN of 1 row per event (NHS number + jsonb of the state that event alone folds to) into an unindexed clone of gp_view_patients',
        ),
        rate(
          'GP view',
          gp.eventsPerSecond,
          produced / sameRows.seconds,
          `COPY FROM STDIN of the same rows the apply writes (${sameRows.rows} state-row versions, ${Math.round(sameRows.bytes / 2 ** 20)} MiB, captured from an untimed run), as events/s; target ≥ 20 %`,
        ),
        rate('GP view', gp.eventsPerSecond, gpAtLeastOnce.eventsPerSecond, `${atLeastOnceName}; target ≥ 70 %`),
        rate(
          'pharmacy view',
          pharmacy.eventsPerSecond,
          pharmacyAtLeastOnce.eventsPerSecond,
          `${atLeastOnceName}; target ≥ 70 %`,
        ),
        {
          metric: `JSON POST /events, ${JSON_CLIENTS} keep-alive clients, closed loop (events/s)`,
          unit: 'events/s',
          ours: latency.jsonMaxRate,
          peer: undefined,
          peerName: '–',
          higherIsBetter: true,
        },
        ...([50, 99] as const).map(
          (p): BenchRow => ({
            metric: `POST → visible in GP view, p${p} at ${Math.round(latency.offeredRate)} events/s (ms)`,
            unit: 'ms',
            ours: percentile(latency.latenciesMs, p),
            peer: undefined,
            peerName: `${latency.basis}; ${latency.latenciesMs.length} events; SQL polled every ~2 ms`,
            higherIsBetter: false,
          }),
        ),
      ];
    }
  },
};
