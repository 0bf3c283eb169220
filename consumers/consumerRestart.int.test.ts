/**
 * A view consumer that kafkajs gives up on — an error it does not retry, here a TypeError
 * thrown from the batch handler — or one that stays connected but stops fetching is replaced
 * by a new member, and the view catches up and equals the reference fold, instead of falling
 * silently behind.
 */
import { createLogger } from '../platform/logger.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import {
  canonicalRecords,
  caughtUp,
  expectViewsToEqualReference,
  openViewLog,
  produce,
} from '../test/support/viewLog.js';
import { workload } from '../test/support/viewWorkload.js';
import { ConsumerStalledError } from './consumerErrors.js';
import type { ViewConsumer, ViewConsumerOptions } from './runViewConsumer.js';
import { runnableViews } from './views.js';

type Resources = { readonly databaseUrl: URL; readonly registryUrl: string; readonly kafkaBrokers: readonly string[] };
type MemberOptions = Pick<ViewConsumerOptions<unknown>, 'failpoints' | 'stallTimeoutMs'>;

/**
 * Runs every view over a fresh log with the given member options (per view), waits until they
 * have caught up, and checks they equal the reference fold; returns why members were replaced.
 */
async function replacedWhileCatchingUp(
  resources: Resources,
  name: string,
  memberOptions: (view: string) => MemberOptions,
): Promise<unknown[]> {
  const log = await openViewLog(resources);
  const events = workload(40);
  await produce(log, events);
  const restarts: unknown[] = [];
  const consumers: ViewConsumer[] = runnableViews.map((view) =>
    view.consumer({
      kafka: log.kafka,
      pool: log.pool,
      topic: log.topic,
      codec: log.codec,
      groupId: uniqueName(`${name}-${view.name}`),
      logger: createLogger('silent'),
      ...memberOptions(view.name),
    }),
  );
  for (const consumer of consumers)
    consumer.events.on('consumer.restarting', (restart: { error: unknown }) => restarts.push(restart.error));
  try {
    for (const consumer of consumers) await consumer.start();
    await expect.poll(() => caughtUp(log), { timeout: 60_000, interval: 250 }).toBe(true);
    await expectViewsToEqualReference(log, events);
    return restarts;
  } finally {
    for (const consumer of consumers) await consumer.stop();
    await log.pool.end();
  }
}

/** True the first time it is asked for each view, false after. */
function oncePerView(): (view: string) => boolean {
  const seen = new Set<string>();
  return (view) => {
    if (seen.has(view)) return false;
    seen.add(view);
    return true;
  };
}

describe('a consumer the Kafka client gives up on', () => {
  test('is replaced by a new member, and the view catches up', async ({ databaseUrl, registryUrl, kafkaBrokers }) => {
    const first = oncePerView();
    const restarts = await replacedWhileCatchingUp({ databaseUrl, registryUrl, kafkaBrokers }, 'restart', (view) => ({
      failpoints: {
        // Once per view: an exception kafkajs counts as unrecoverable, so it stops the consumer for good.
        beforeBatch: async () => {
          if (first(view)) throw new TypeError('a bug in the batch handler');
        },
      },
    }));
    // kafkajs hands the error on wrapped (KafkaJSNonRetriableError), its message kept.
    expect(restarts).toHaveLength(3);
    for (const error of restarts) expect(String(error)).toContain('a bug in the batch handler');
  }, 120_000);

  test('a member connected but no longer fetching is replaced by the stall watchdog', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const first = oncePerView();
    const restarts = await replacedWhileCatchingUp({ databaseUrl, registryUrl, kafkaBrokers }, 'stall', (view) => ({
      stallTimeoutMs: 2000,
      // The first member of each view stops fetching as soon as it has its partitions.
      failpoints: { stallAfterJoin: () => first(view) },
    }));
    expect(restarts).toHaveLength(3);
    for (const error of restarts) expect(error).toBeInstanceOf(ConsumerStalledError);
  }, 120_000);

  test('a log that ends in transaction markers is not taken for a stall', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(20);
    // A transactional writer (another system's) leaves a commit marker after its records: the
    // log end is one past the last record a consumer is handed.
    const producer = log.kafka.producer({
      transactionalId: uniqueName('tx-writer'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic: log.topic, messages: canonicalRecords(log, events) });
    await transaction.commit();
    await producer.disconnect();
    const restarts: unknown[] = [];
    const [view] = runnableViews;
    if (view === undefined) throw new Error('no view');
    const consumer = view.consumer({
      kafka: log.kafka,
      pool: log.pool,
      topic: log.topic,
      codec: log.codec,
      groupId: uniqueName(`markers-${view.name}`),
      logger: createLogger('silent'),
      stallTimeoutMs: 1000,
    });
    consumer.events.on('consumer.restarting', (restart: { error: unknown }) => restarts.push(restart.error));
    let checks = 0;
    consumer.events.on('consumer.stall-checked', () => {
      checks += 1;
    });
    const processed = async () =>
      (
        await log.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM view_processed_events WHERE view = $1', [
          view.name,
        ])
      ).rows[0]?.n;
    try {
      await consumer.start();
      await expect.poll(processed, { timeout: 60_000, interval: 250 }).toBe(new Set(events.map((e) => e.eventId)).size);
      // The watchdog looks every 250 ms: once caught up, let it look through four stall timeouts.
      const from = checks;
      await expect.poll(() => checks - from, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(16);
      expect(restarts).toEqual([]);
    } finally {
      await consumer.stop();
      await log.pool.end();
    }
  }, 120_000);
});
