/**
 * Thin wrappers that feed the metrics (observability/metrics.ts) from the service's parts
 * without changing them: the ingest service (each inbound message's channel, outcome and
 * time to answer), the Kafka publisher (write latency and failures per topic role, events per
 * type) and the view consumers (their `batch.applied` and `batch.dead-lettered` events).
 */
import type { ViewConsumer } from '../consumers/runViewConsumer.js';
import type { IngestService } from '../producers/ingest/ingestService.js';
import type { AccessPublisher, Publisher } from '../producers/publish/kafkaPublisher.js';
import { channelLabel, ingestOutcomeLabel } from './metricLabels.js';
import type { Metrics, TopicRoleLabel } from './metrics.js';

const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;

export function instrumentIngest(ingest: IngestService, metrics: Metrics): IngestService {
  return {
    ...ingest,
    async ingest(message) {
      const start = process.hrtime.bigint();
      const channel = channelLabel(message.channel);
      try {
        const outcome = await ingest.ingest(message);
        metrics.ingestAnswered(channel, ingestOutcomeLabel(outcome, message.channel), seconds(start));
        return outcome;
      } catch (error) {
        metrics.ingestAnswered(channel, 'failed', seconds(start));
        throw error;
      }
    },
    redrive: (kind, id) => ingest.redrive(kind, id),
    idle: () => ingest.idle(),
    releaseResolvable: () => ingest.releaseResolvable(),
    close: () => ingest.close(),
  };
}

export function instrumentPublisher(
  publisher: Publisher & AccessPublisher,
  metrics: Metrics,
): Publisher & AccessPublisher {
  const timed = async (role: TopicRoleLabel, write: () => Promise<void>): Promise<void> => {
    const start = process.hrtime.bigint();
    try {
      await write();
    } catch (error) {
      metrics.published(role, seconds(start), false);
      throw error;
    }
    metrics.published(role, seconds(start), true);
  };
  return {
    publishReceipt: (message) => timed('raw', () => publisher.publishReceipt(message)),
    publishRejected: (message, rejection, answer) =>
      timed('rejected', () => publisher.publishRejected(message, rejection, answer)),
    publishAccess: (records) => timed('access', () => publisher.publishAccess(records)),
    async publishEvents(events) {
      await timed('canonical', () => publisher.publishEvents(events));
      metrics.eventsPublished(events.map((e) => e.type));
    },
    close: () => publisher.close(),
  };
}

type AppliedBatch = { readonly applied?: number };
type DeadLetteredBatch = { readonly count?: number };

/**
 * Counts each consumer's committed batches. Consumers started later (a view refused at start
 * and started once rebuilt) are picked up by calling the returned function again.
 */
export function observeViewConsumers(consumers: ReadonlyMap<string, ViewConsumer>, metrics: Metrics): () => void {
  const seen = new WeakSet<ViewConsumer>();
  const attach = () => {
    for (const [view, consumer] of consumers) {
      if (seen.has(consumer)) continue;
      seen.add(consumer);
      consumer.events.on('batch.applied', (batch: AppliedBatch) => metrics.batchApplied(view, batch.applied ?? 0));
      consumer.events.on('batch.dead-lettered', (batch: DeadLetteredBatch) =>
        metrics.deadLettered(view, batch.count ?? 0),
      );
    }
  };
  attach();
  return attach;
}
