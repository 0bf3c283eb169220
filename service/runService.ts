/**
 * The running product: brings up (or connects to) the stack, then the source adapters — the
 * MLLP listener and the HTTP API — over one ingest pipeline and one Kafka producer. Returns a
 * handle whose close() drains in-flight messages before disconnecting. I/O.
 */
import type { AddressInfo } from 'node:net';
import { authFromConfig } from '../api/authPlugin.js';
import { buildApi } from '../api/buildApi.js';
import { runnableAuditIndexes } from '../consumers/auditIndexes.js';
import { type RunningViews, startViews } from '../consumers/runViews.js';
import { ltcCodesInUse, runnableViews } from '../consumers/views.js';
import { stackUp } from '../local-stack/stack.js';
import { instrumentIngest, instrumentPublisher, observeViewConsumers } from '../observability/instrument.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { onRegistryRequest } from '../observability/registryRequestEvents.js';
import { readScrapeToken } from '../observability/scrapeAccess.js';
import { createScrapeStateReader } from '../observability/scrapeState.js';
import type { Config } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient, probeKafka } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import { createPool } from '../platform/postgres.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { isRegistryUp } from '../platform/schemaRegistry.js';
import { startTracing } from '../platform/tracing.js';
import { fhirRoutes } from '../producers/fhir/fhirRoutes.js';
import { fhirAnswerOf, fhirEndpointName, fhirEndpoints, fhirInterpreterFor } from '../producers/fhir/interpretFhir.js';
import { createHl7Listener } from '../producers/hl7v2/hl7Listener.js';
import { hl7AnswerOf, interpretHl7, MLLP_ENDPOINT } from '../producers/hl7v2/interpretHl7.js';
import { createIngestService, type IngestService } from '../producers/ingest/ingestService.js';
import { interpretJsonEvent, jsonAnswers } from '../producers/json/interpretJsonEvent.js';
import { JSON_ENDPOINT } from '../producers/json/jsonRoutes.js';
import { createKafkaPublisher } from '../producers/publish/kafkaPublisher.js';
import { checkLogHoldsPublished } from '../producers/publish/publishedEvents.js';
import { ltcListId } from '../projections/care-plan-view/ltcCodes.js';
import { topicNames } from '../schemas/topics.js';

export type RunningService = {
  readonly httpUrl: string;
  readonly mllpPort: number;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly ingest: IngestService;
  readonly views: RunningViews | undefined;
  /** The Prometheus metrics GET /metrics serves. */
  readonly metrics: Metrics;
  close(): Promise<void>;
};

export async function runService(
  config: Config,
  options: {
    readonly logger: Logger;
    readonly onProgress?: (message: string) => void;
    readonly clock?: () => Date;
    /** false: adapters and API only, no view consumers (e.g. a dedicated ingest instance). */
    readonly views?: boolean;
  },
): Promise<RunningService> {
  const logger = options.logger;
  const clock = options.clock ?? (() => new Date());
  // Read first: a bad METRICS_BEARER_TOKEN_FILE stops the start before anything is brought up.
  const scrapeToken =
    config.metricsBearerTokenFile === undefined ? undefined : readScrapeToken(config.metricsBearerTokenFile);
  // OTEL_EXPORTER_OTLP_ENDPOINT set: spans are exported from here on (README: Traces).
  const tracing = startTracing(config.tracing, logger);
  const metrics = createMetrics();
  const stopObservingRegistry = onRegistryRequest((operation, outcome) => metrics.registryRequest(operation, outcome));
  const stack = await stackUp(config, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    logger,
  }).catch((error: unknown) => {
    stopObservingRegistry();
    throw error;
  });
  const topics = topicNames(config.topicNamespace);
  const pool = createPool(config.databaseUrl, { logger, applicationName: 'cel-adapters' });
  const kafkaSecurity = stack.clientSecurity;
  const kafka = createKafkaClient({
    brokers: stack.brokers,
    clientId: config.kafkaClientId,
    logger,
    security: kafkaSecurity,
  });
  try {
    await checkLogHoldsPublished(pool, kafka, topics.canonical);
  } catch (error) {
    stopObservingRegistry();
    await pool.end();
    throw error;
  }
  const eventCodec = createEventCodec(stack.registry, stack.schemas.byEventType);
  const recordCodec = createRecordCodec(stack.registry, stack.schemas.byRecordName);
  const kafkaPublisher = createKafkaPublisher({
    kafka,
    topics,
    eventCodec,
    recordCodec,
    logger,
  });
  const publisher = instrumentPublisher(kafkaPublisher, metrics);
  const ingestService = createIngestService({
    pool,
    publisher,
    logger,
    interpreters: new Map([
      [MLLP_ENDPOINT, { interpret: interpretHl7, answerOf: hl7AnswerOf }],
      [JSON_ENDPOINT, { interpret: interpretJsonEvent, answerOf: (r) => `HTTP ${jsonAnswers[r.kind]}` }],
      ...fhirEndpoints.map(
        (e) => [fhirEndpointName(e), { interpret: fhirInterpreterFor(e), answerOf: fhirAnswerOf }] as const,
      ),
    ]),
  });
  const ingest = instrumentIngest(ingestService, metrics);

  if (options.views !== false) {
    const { codes, source } = ltcCodesInUse;
    logger.info(
      { ltcList: ltcListId(codes), source, snomedCt: codes.snomedCt.length, icd10Prefixes: codes.icd10Prefixes.length },
      'care-plan view: long-term-condition list',
    );
  }
  const views =
    options.views === false
      ? undefined
      : await startViews({
          kafka,
          pool,
          eventCodec,
          recordCodec,
          topics,
          namespace: config.topicNamespace,
          views: [...runnableViews, ...runnableAuditIndexes(recordCodec)],
          logger,
          clock,
        });

  const observeViews = views === undefined ? undefined : observeViewConsumers(views.consumers, metrics);
  const scrapeState = createScrapeStateReader({
    pool,
    rebuildTopic: topics.canonical,
    ...(views === undefined
      ? {}
      : {
          log: {
            kafka,
            views: [...runnableViews, ...runnableAuditIndexes(recordCodec)].map((v) => ({
              name: v.name,
              topic: topics[v.reads ?? 'canonical'],
            })),
          },
        }),
  });
  metrics.readScrapeState(() => {
    observeViews?.();
    return scrapeState.read();
  });

  const mllp = createHl7Listener(
    {
      host: config.listen.host,
      port: config.listen.mllpPort,
      maxFrameBytes: config.listen.mllpMaxFrameBytes,
      idleTimeoutMs: config.listen.mllpIdleTimeoutMs,
      frameTimeoutMs: config.listen.mllpFrameTimeoutMs,
      maxConnections: config.listen.mllpMaxConnections,
      maxConnectionsPerPeer: config.listen.mllpMaxConnectionsPerPeer,
      shutdownGraceMs: 20_000,
      transport: config.listen.mllp,
    },
    { ingest, clock, logger },
  );
  const mllpAddress = await mllp.listen();

  const api = await buildApi({
    logger,
    auth: {
      ...(await authFromConfig(config.auth, config.localStack.dir)),
      recordAccess: (records) => publisher.publishAccess(records),
      clock,
    },
    hardening: config.http,
    pool,
    ingest,
    clock,
    replay: { kafka, topic: topics.canonical, codec: eventCodec },
    eventCodec,
    metrics: { metrics, ...(scrapeToken === undefined ? {} : { scrapeToken }) },
    ...(views === undefined
      ? {}
      : {
          details: async () => ({
            viewLag: await views.lag(),
            viewsHeld: await views.held(),
            ...(views.refused.size === 0 ? {} : { viewsNotRunning: Object.fromEntries(views.refused) }),
          }),
        }),
    checks: {
      ...(views === undefined ? {} : { views: async () => views.refused.size === 0 }),
      kafka: async () => (await probeKafka(stack.brokers, 2000, kafkaSecurity)) !== undefined,
      registry: () => isRegistryUp(stack.registry),
      database: async () => (await pool.query('SELECT 1')).rowCount === 1,
      mllp: async () => mllp.listening(),
    },
    plugins: [
      async (app) =>
        app.register(fhirRoutes, {
          ingest,
          clock,
          issuer: config.auth.mode === 'oidc' ? config.auth.issuer : undefined,
        }),
    ],
  });
  await api.listen({ host: config.listen.host, port: config.listen.httpPort });
  const { port: httpPort } = api.server.address() as AddressInfo;
  const httpUrl = `http://${config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host}:${httpPort}`;
  logger.info({ http: httpUrl, mllpPort: mllpAddress.port }, 'adapters listening');
  // A release interrupted by a crash or a lost database leaves parked inputs whose patient is
  // known by now: release them (in the background; failures are retried).
  void ingest.releaseResolvable();

  return {
    httpUrl,
    mllpPort: mllpAddress.port,
    brokers: stack.brokers,
    // As configured, user info included (tests hand it on); print it masked (bin/start.ts).
    registryUrl:
      config.schemaRegistry === 'embedded' ? stack.registry.url.toString() : config.schemaRegistry.toString(),
    ingest,
    views,
    metrics,
    async close() {
      await Promise.all([api.close(), mllp.close()]);
      await ingest.close();
      await publisher.close();
      await views?.stop(); // finishes the batch in hand
      stopObservingRegistry();
      await scrapeState.close();
      await pool.end();
      await tracing.shutdown(); // last: the spans of the drain are exported too
    },
  };
}
