/**
 * The swap against a running live consumer (in process), forced while the rebuilt version is
 * behind the live one: the live consumer's next batch finds the stored offsets moved back,
 * re-seeks to them, and applies the rest of the log to the rebuilt tables exactly once.
 */
import { createViewConsumer } from '../consumers/runViewConsumer.js';
import { readStoredOffsets } from '../consumers/storedOffsets.js';
import { liveViews } from '../consumers/views.js';
import { createLogger } from '../platform/logger.js';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { describe, expect } from '../test/support/fixtures.js';
import { canonical, caughtUp, openViewLog, produce } from '../test/support/viewLog.js';
import { patientEvents, referenceRows, workload } from '../test/support/viewWorkload.js';
import { rebuildableViews } from './rebuildableViews.js';
import { positionOf } from './rebuildProgress.js';
import { compareVersions, swapViewVersion } from './swapViewVersion.js';
import { progressNameOf } from './versionNames.js';
import { startViewVersion } from './viewVersions.js';

const VIEW = 'care-plan-view';

describe('swapViewVersion', () => {
  test('forced with the live view ahead: the live consumer goes back to the rebuilt offsets and applies the rest once', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const logger = createLogger('silent');
    const first = workload(60);
    const more = Array.from({ length: 10 }, (_, i) => patientEvents(60 + i)).flat();
    const common = { kafka: log.kafka, pool: log.pool, topic: log.topic, codec: log.codec, logger };
    const live = createViewConsumer({
      ...common,
      view: liveViews[VIEW],
      groupId: `${log.namespace}.${VIEW}`,
      maxBytesPerPartition: 4096,
    });
    const reseeked: number[] = [];
    live.events.on('partition.reseeked', ({ partition }: { partition: number }) => reseeked.push(partition));
    try {
      await produce(log, first);
      await produce(log, first);
      await live.start();
      await expect.poll(() => caughtUp(log, [VIEW]), { timeout: 60_000, interval: 100 }).toBe(true);
      const foldVersions = async () =>
        Object.fromEntries(
          (
            await log.pool.query<{ view: string; fold_version: string }>(
              'SELECT view, fold_version FROM view_fold_versions',
            )
          ).rows.map((r) => [r.view, r.fold_version]),
        );
      const ltcList = liveViews[VIEW].foldVersion;
      expect(ltcList).toMatch(/^ltc-list:[0-9a-f]{12}$/);
      expect(await foldVersions()).toEqual({ [VIEW]: ltcList });

      // A rebuild stopped early: its version is behind the live one.
      const view = rebuildableViews[VIEW];
      const version = await startViewVersion(log.pool, view);
      const progressName = progressNameOf(VIEW, version.version);
      const rebuild = view.consumer(progressName, version.tables, {
        ...common,
        groupId: `${log.namespace}.${progressName}`,
        maxBytesPerPartition: 1024,
      });
      await rebuild.start();
      const rebuiltAt = async () => positionOf(await readStoredOffsets(log.pool, progressName, log.topic));
      await expect.poll(rebuiltAt, { timeout: 60_000, interval: 10 }).toBeGreaterThan(0n);
      await rebuild.stop();

      const plan = { view, topic: log.topic, liveVersion: version.liveVersion, version: version.version };
      const compared = await compareVersions(log.pool, plan);
      // Not forced, the swap refuses versions at different offsets and changes nothing.
      const refused = await swapViewVersion(log.pool, { ...plan, requireSameOffsets: true }, compared);
      expect(refused.kind).toBe('offsets-differ');
      expect(await readStoredOffsets(log.pool, progressName, log.topic)).toEqual(compared.rebuilt.offsets);
      const swap = await swapViewVersion(log.pool, { ...plan, requireSameOffsets: false }, compared);
      if (swap.kind !== 'swapped') throw new Error(`expected a swap, got ${swap.kind}`);
      expect(swap.swappedAt.rebuilt).toEqual(compared.rebuilt.offsets);
      expect(positionOf(swap.swappedAt.rebuilt)).toBeLessThan(positionOf(swap.swappedAt.live));
      expect(await readStoredOffsets(log.pool, VIEW, log.topic)).toEqual(swap.swappedAt.rebuilt);
      // The fold version moves with the progress: the rebuilt version's is now the view's.
      expect(await foldVersions()).toEqual({ [VIEW]: ltcList, [progressNameOf(VIEW, version.liveVersion)]: ltcList });

      await produce(log, more);
      await expect.poll(() => caughtUp(log, [VIEW]), { timeout: 60_000, interval: 100 }).toBe(true);
      expect(reseeked.length).toBeGreaterThan(0);
      const all = [...first, ...more];
      const tasks = await log.pool.query<{ row_data: unknown }>('SELECT row_data FROM care_plan_view_tasks');
      expect(canonical(tasks.rows.map((r) => r.row_data))).toEqual(canonical(referenceRows(all).carePlanTasks));
      const processed = await log.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM view_processed_events WHERE view = $1::text',
        [VIEW],
      );
      expect(processed.rows[0]?.n).toBe(new Set(all.map((e) => e.eventId)).size);

      // A consumer started with another LTC list says the view needs a rebuild, and keeps the record.
      const changed: unknown[] = [];
      const other = createViewConsumer({
        ...common,
        view: { ...liveViews[VIEW], foldVersion: 'ltc-list:000000000000' },
        groupId: `${log.namespace}.${VIEW}-other`,
      });
      other.events.on('fold-version.changed', (e: unknown) => changed.push(e));
      await other.start();
      await other.stop();
      expect(changed).toEqual([{ recorded: ltcList, configured: 'ltc-list:000000000000' }]);
      expect((await foldVersions())[VIEW]).toBe(ltcList);
    } finally {
      await live.stop();
      await log.pool.end();
    }
  });
});
