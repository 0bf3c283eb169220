/**
 * A view consumer that kafkajs gives up on — an error it does not retry, here a TypeError
 * thrown from the batch handler — is replaced by a new member, and the view catches up and
 * equals the reference fold, instead of falling silently behind.
 */
import { createLogger } from '../platform/logger.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { caughtUp, expectViewsToEqualReference, openViewLog, produce } from '../test/support/viewLog.js';
import { workload } from '../test/support/viewWorkload.js';
import type { ViewConsumer } from './runViewConsumer.js';
import { runnableViews } from './views.js';

describe('a consumer the Kafka client gives up on', () => {
  test('is replaced by a new member, and the view catches up', async ({ databaseUrl, registryUrl, kafkaBrokers }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(40);
    await produce(log, events);
    const thrownBy = new Set<string>();
    const restarts: unknown[] = [];
    const consumers: ViewConsumer[] = runnableViews.map((view) =>
      view.consumer({
        kafka: log.kafka,
        pool: log.pool,
        topic: log.topic,
        codec: log.codec,
        groupId: uniqueName(`restart-${view.name}`),
        logger: createLogger('silent'),
        failpoints: {
          // Once per view: an exception kafkajs counts as unrecoverable, so it stops the consumer for good.
          beforeBatch: async () => {
            if (thrownBy.has(view.name)) return;
            thrownBy.add(view.name);
            throw new TypeError('a bug in the batch handler');
          },
        },
      }),
    );
    for (const consumer of consumers)
      consumer.events.on('consumer.restarting', (restart: { error: unknown }) => restarts.push(restart.error));
    try {
      for (const consumer of consumers) await consumer.start();
      await expect.poll(() => caughtUp(log), { timeout: 60_000, interval: 250 }).toBe(true);
      expect(thrownBy.size).toBe(3);
      expect(restarts.map((e) => String(e))).toHaveLength(3);
      await expectViewsToEqualReference(log, events);
    } finally {
      for (const consumer of consumers) await consumer.stop();
      await log.pool.end();
    }
  }, 120_000);
});
