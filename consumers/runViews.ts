/**
 * Starts one consumer-group member per live view, and reports each view's lag: the log's end
 * offsets minus the offsets stored with the view (its real progress, not Kafka's). I/O.
 */
import type { EventCodec } from '../platform/eventCodec.js';
import { fetchPartitionOffsets, type Kafka, type PartitionOffsets } from '../platform/kafka.js';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import type { RecordCodec } from '../platform/recordCodec.js';
import type { TopicNames } from '../schemas/topics.js';
import { LogBehindViewError } from './consumerErrors.js';
import { createDeadLetterPublisher } from './deadLetterPublisher.js';
import type { RunnableView, ViewConsumer } from './runViewConsumer.js';
import { readHolds, readStoredOffsets } from './storedOffsets.js';

export type RunningViews = {
  readonly consumers: ReadonlyMap<string, ViewConsumer>;
  /** Views that were not started, and why (each reason names what to do). */
  readonly refused: ReadonlyMap<string, string>;
  lag(): Promise<Readonly<Record<string, number>>>;
  /** The views a rebuild holds while it compares itself with them, and until when (ISO 8601). */
  held(): Promise<Readonly<Record<string, string>>>;
  stop(): Promise<void>;
};

/** How often a view that was not started is tried again. */
const RETRY_REFUSED_MS = 10_000;

export const groupIdOf = (namespace: string, view: string) => `${namespace}.${view}`;

export async function startViews(deps: {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly eventCodec: EventCodec;
  readonly recordCodec: RecordCodec;
  readonly topics: TopicNames;
  readonly namespace: string;
  readonly views: readonly RunnableView[];
  readonly logger: Logger;
  readonly clock: () => Date;
}): Promise<RunningViews> {
  const deadLetters = createDeadLetterPublisher(deps.kafka, deps.recordCodec, deps.topics['dead-letter'], deps.clock);
  const consumers = new Map<string, ViewConsumer>();
  const refused = new Map<string, string>();
  /** Starts the view's consumer; when the view must not run as things stand, keeps the reason for /health instead. */
  const start = async (view: RunnableView): Promise<void> => {
    const consumer = view.consumer({
      kafka: deps.kafka,
      pool: deps.pool,
      topic: deps.topics[view.reads ?? 'canonical'],
      codec: deps.eventCodec,
      groupId: groupIdOf(deps.namespace, view.name),
      logger: deps.logger,
      publishDeadLetters: (records) => deadLetters.publish(records),
    });
    try {
      await consumer.start();
    } catch (error) {
      // Its log was recreated: it stays stopped and says why in /health; the adapters and the
      // other views go on. It is tried again now and then, so once rebuilt it starts by itself.
      if (!(error instanceof LogBehindViewError)) throw error;
      if (!refused.has(view.name)) deps.logger.error({ err: error, view: view.name }, 'view not started');
      refused.set(view.name, error.message);
      return;
    }
    consumers.set(view.name, consumer);
    if (refused.delete(view.name)) deps.logger.info({ view: view.name }, 'view started');
  };
  for (const view of deps.views) await start(view);

  let retrying = Promise.resolve();
  const retry = setInterval(() => {
    retrying = retrying.then(async () => {
      for (const view of deps.views.filter((v) => refused.has(v.name))) {
        await start(view).catch((error: unknown) =>
          deps.logger.warn({ err: error, view: view.name }, 'view start failed; trying again later'),
        );
      }
    });
  }, RETRY_REFUSED_MS);
  retry.unref();

  return {
    consumers,
    refused,
    async lag() {
      const ends = new Map<string, readonly PartitionOffsets[]>();
      const result: Record<string, number> = {};
      for (const view of deps.views) {
        const topic = deps.topics[view.reads ?? 'canonical'];
        if (!ends.has(topic)) ends.set(topic, await fetchPartitionOffsets(deps.kafka, topic));
        const stored = await readStoredOffsets(deps.pool, view.name, topic);
        result[view.name] = (ends.get(topic) ?? []).reduce(
          (sum, p) => sum + Math.max(0, Number(p.high - (stored.get(p.partition) ?? 0n))),
          0,
        );
      }
      return result;
    },
    async held() {
      const holds = await readHolds(
        deps.pool,
        deps.views.map((v) => v.name),
      );
      return Object.fromEntries([...holds].map(([view, until]) => [view, until.toISOString()]));
    },
    async stop() {
      clearInterval(retry);
      await retrying;
      await Promise.all([...consumers.values()].map((c) => c.stop()));
      await deadLetters.close();
    },
  };
}
