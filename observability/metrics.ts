/**
 * The service's Prometheus metrics: one registry per service (never prom-client's global one,
 * so several apps can run in one process), the metric objects, and the small functions the
 * instrumented code calls. Gauges of state kept in PostgreSQL and Kafka (dead letters, held
 * inputs, view positions, rebuild progress) are read at scrape time from a `ScrapeState`
 * source, cached for a few seconds. Labels are bounded enums only (observability/metricLabels.ts).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ChannelLabel, IngestOutcomeLabel, RegistryOutcomeLabel } from './metricLabels.js';

/** State read at scrape time; a part left out (e.g. no views run here) leaves its gauges empty. */
export type ScrapeState = {
  /** Unresolved dead letters per view or index (views with none may be absent). */
  readonly deadLetters?: Readonly<Record<string, number>>;
  readonly parkedInputs?: number;
  readonly rejectedInputs?: number;
  /** Per view and partition: the last applied offset (next stored offset − 1) and the records not yet applied. */
  readonly viewPositions?: readonly {
    readonly view: string;
    readonly partition: number;
    readonly lastApplied: bigint | undefined;
    readonly lag: bigint;
  }[];
  /** Rebuilds under way: records applied over records on the log, 0–1. */
  readonly rebuilds?: readonly { readonly view: string; readonly ratio: number }[];
};

export type ScrapeStateSource = () => Promise<ScrapeState>;

export type TopicRoleLabel = 'canonical' | 'raw' | 'rejected' | 'access' | 'dead-letter';

export type Metrics = {
  readonly registry: Registry;
  /** One inbound message answered: its channel, what became of it, and how long until the answer. */
  ingestAnswered(channel: ChannelLabel, outcome: IngestOutcomeLabel, seconds: number): void;
  /** One write to Kafka (a group-committed request may carry several). */
  published(role: TopicRoleLabel, seconds: number, ok: boolean): void;
  /** Canonical events acknowledged by Kafka, by event type. */
  eventsPublished(types: readonly string[]): void;
  /** A view's batch committed: events applied in it. */
  batchApplied(view: string, applied: number): void;
  /** Records a view dead-lettered in a batch. */
  deadLettered(view: string, count: number): void;
  registryRequest(operation: string, outcome: RegistryOutcomeLabel): void;
  httpAnswered(method: string, route: string, status: string, seconds: number): void;
  /** Where the scrape-time gauges come from (the composition sets it once its pool and views exist). */
  readScrapeState(source: ScrapeStateSource): void;
};

/** Latency buckets in seconds: 1 ms to 30 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How long a scrape-time reading is reused (Prometheus and a person may scrape together). */
export const SCRAPE_STATE_TTL_MS = 5000;

export function createMetrics(
  options: { readonly now?: () => number; readonly defaultMetrics?: boolean } = {},
): Metrics {
  const now = options.now ?? (() => Date.now());
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'cel_' });
  const registers = [registry];

  let source: ScrapeStateSource | undefined;
  let cached: { readonly at: number; readonly state: Promise<ScrapeState> } | undefined;
  /** One reading shared by every gauge of a scrape; a failed one is not kept. */
  const state = (): Promise<ScrapeState> => {
    if (source === undefined) return Promise.resolve({});
    if (cached === undefined || now() - cached.at > SCRAPE_STATE_TTL_MS) {
      const reading = source().catch(() => {
        cached = undefined;
        return {} as ScrapeState;
      });
      cached = { at: now(), state: reading };
    }
    return cached.state;
  };

  const ingestMessages = new Counter({
    name: 'cel_ingest_messages_total',
    help: 'Inbound messages answered, by channel (mllp, fhir, json) and outcome (accepted, duplicate, parked, ignored, rejected = AE / 4xx, refused = AR, unavailable = resend later, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const ingestResponse = new Histogram({
    name: 'cel_ingest_response_seconds',
    help: 'Time from taking an inbound message to its answer (ACK or HTTP response) being decided, by channel',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const publishLatency = new Histogram({
    name: 'cel_kafka_publish_seconds',
    help: 'Time until Kafka acknowledged a write (acks=all), by topic role',
    labelNames: ['topic_role'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const publishFailures = new Counter({
    name: 'cel_kafka_publish_failures_total',
    help: 'Writes Kafka did not acknowledge (the sender is told to resend), by topic role',
    labelNames: ['topic_role'] as const,
    registers,
  });
  const eventsPublished = new Counter({
    name: 'cel_events_published_total',
    help: 'Canonical events acknowledged by Kafka, by event type',
    labelNames: ['type'] as const,
    registers,
  });
  const viewEvents = new Counter({
    name: 'cel_view_events_applied_total',
    help: 'Events a view or audit index applied (duplicates not counted), by view',
    labelNames: ['view'] as const,
    registers,
  });
  const viewBatches = new Counter({
    name: 'cel_view_batches_total',
    help: 'Batches a view or audit index committed, by view',
    labelNames: ['view'] as const,
    registers,
  });
  const viewDeadLettered = new Counter({
    name: 'cel_view_dead_lettered_total',
    help: 'Records a view or audit index set aside as dead letters, by view',
    labelNames: ['view'] as const,
    registers,
  });
  const registryRequests = new Counter({
    name: 'cel_schema_registry_requests_total',
    help: 'Requests to the schema registry, by operation (method and path pattern) and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'cel_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (unmatched: no route) and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'cel_http_request_duration_seconds',
    help: 'HTTP request duration until the response was sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });

  new Gauge({
    name: 'cel_view_last_applied_offset',
    help: 'Last offset of the log a view or audit index applied (its stored offset − 1), by view and partition; read at scrape time',
    labelNames: ['view', 'partition'] as const,
    registers,
    async collect() {
      this.reset();
      for (const p of (await state()).viewPositions ?? [])
        if (p.lastApplied !== undefined)
          this.set({ view: p.view, partition: String(p.partition) }, Number(p.lastApplied));
    },
  });
  new Gauge({
    name: 'cel_view_lag_records',
    help: 'Records on the log a view or audit index has not applied yet (end offset − stored offset, as /health), by view and partition; read at scrape time',
    labelNames: ['view', 'partition'] as const,
    registers,
    async collect() {
      this.reset();
      for (const p of (await state()).viewPositions ?? [])
        this.set({ view: p.view, partition: String(p.partition) }, Number(p.lag));
    },
  });
  new Gauge({
    name: 'cel_dead_letters_unresolved',
    help: 'Dead letters not yet re-driven, by view or index (GET /admin/dead-letters); read at scrape time',
    labelNames: ['view'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [view, n] of Object.entries((await state()).deadLetters ?? {})) this.set({ view }, n);
    },
  });
  new Gauge({
    name: 'cel_parked_inputs',
    help: 'Parked inputs waiting for their patient to be identified (GET /admin/parked); read at scrape time',
    registers,
    async collect() {
      this.reset();
      const n = (await state()).parkedInputs;
      if (n === undefined) this.remove();
      else this.set(n);
    },
  });
  new Gauge({
    name: 'cel_rejected_inputs',
    help: 'Rejected inputs kept and not re-driven (GET /admin/rejected); read at scrape time',
    registers,
    async collect() {
      this.reset();
      const n = (await state()).rejectedInputs;
      if (n === undefined) this.remove();
      else this.set(n);
    },
  });
  new Gauge({
    name: 'cel_rebuild_progress_ratio',
    help: 'Rebuilds under way: records the new version applied over records on the log (0–1), by view; read at scrape time',
    labelNames: ['view'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of (await state()).rebuilds ?? []) this.set({ view: r.view }, r.ratio);
    },
  });

  return {
    registry,
    ingestAnswered(channel, outcome, seconds) {
      ingestMessages.inc({ channel, outcome });
      ingestResponse.observe({ channel }, seconds);
    },
    published(role, seconds, ok) {
      if (ok) publishLatency.observe({ topic_role: role }, seconds);
      else publishFailures.inc({ topic_role: role });
    },
    eventsPublished(types) {
      for (const type of types) eventsPublished.inc({ type });
    },
    batchApplied(view, applied) {
      viewBatches.inc({ view });
      viewEvents.inc({ view }, applied);
    },
    deadLettered(view, count) {
      viewDeadLettered.inc({ view }, count);
    },
    registryRequest(operation, outcome) {
      registryRequests.inc({ operation, outcome });
    },
    httpAnswered(method, route, status, seconds) {
      httpRequests.inc({ method, route, status });
      httpDuration.observe({ method, route }, seconds);
    },
    readScrapeState(next) {
      source = next;
      cached = undefined;
    },
  };
}
