/**
 * A view whose stored offsets are beyond the end of the log (the topic was recreated or
 * truncated, the database kept): its consumer refuses to start, naming the partition and the
 * two ways out, instead of silently skipping the new records below the stored offsets. A
 * rebuild from this log is one way out: afterwards the consumer starts and keeps the view.
 */
import { createLogger } from '../platform/logger.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { rebuildableViews } from '../replay/rebuildableViews.js';
import { rebuildView } from '../replay/rebuildView.js';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { caughtUp, endOffsets, expectViewsToEqualReference, openViewLog, produce } from '../test/support/viewLog.js';
import { workload } from '../test/support/viewWorkload.js';
import { LogBehindViewError } from './consumerErrors.js';
import { createViewConsumer } from './runViewConsumer.js';
import { initStoredOffsets } from './storedOffsets.js';
import { liveViews } from './views.js';

describe('a view ahead of its log', () => {
  test('refuses to start, naming the partition; after a rebuild from this log it runs', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(30);
    await produce(log, events);
    const ends = await endOffsets(log);
    // As if the view had applied a longer log, since recreated: partition 1 far past its end.
    await initStoredOffsets(log.pool, 'gp-view', log.topic, new Map([...ends].map(([p, end]) => [p, end])));
    await log.pool.query(
      "UPDATE view_stored_offsets SET next_offset = next_offset + 500 WHERE view = 'gp-view' AND partition = 1",
    );
    const logger = createLogger('silent');
    const consumer = () =>
      createViewConsumer({
        kafka: log.kafka,
        pool: log.pool,
        view: liveViews['gp-view'],
        topic: log.topic,
        codec: log.codec,
        groupId: uniqueName('ahead'),
        logger,
      });
    try {
      const refused = consumer().start();
      await expect(refused).rejects.toBeInstanceOf(LogBehindViewError);
      await expect(refused).rejects.toThrow(
        new RegExp(
          `gp-view: applied up to offset ${(ends.get(1) ?? 0n) + 500n} of ${log.topic}\\[1\\], but the log ends at ${ends.get(1)}`,
        ),
      );
      await expect(refused).rejects.toThrow(/npm run replay -- rebuild gp-view/);

      const rebuilt = await rebuildView(
        {
          kafka: log.kafka,
          pool: log.pool,
          codec: log.codec,
          topic: log.topic,
          groupPrefix: uniqueName('ahead-rebuild'),
          logger,
          progress: () => undefined,
          alignTimeoutMs: 500, // the live consumer is not running
        },
        rebuildableViews['gp-view'],
        { dropOld: false },
      );
      expect(rebuilt.kind).toBe('swapped');
      const live = consumer();
      await live.start();
      try {
        await expect.poll(() => caughtUp(log, ['gp-view']), { timeout: 30_000, interval: 250 }).toBe(true);
        await expectViewsToEqualReference(log, events, ['gp-view']);
      } finally {
        await live.stop();
      }
    } finally {
      await log.pool.end();
    }
  }, 120_000);
});
