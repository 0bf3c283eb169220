/**
 * The pharmacy feed across a rebuild's swap, against PostgreSQL: a reader pages the feed while
 * live batches apply; meanwhile a rebuild folds the same log in larger batches into shadow
 * tables (at the live view's offsets, or a little behind or ahead of them) and is swapped in
 * mid-paging. The reader's cursor goes on: every row exactly once per change, nothing
 * unchanged again.
 */
import fc from 'fast-check';
import { pharmacyViewTables } from '../projections/pharmacy-view/tables.js';
import { describe, expect } from '../test/support/fixtures.js';
import {
  applyRecords,
  arbFeedScenario,
  checkingReader,
  FEED_PARTITIONS,
  feedLog,
  type LogRecord,
  feedTest as test,
} from '../test/support/pharmacyFeed.js';
import { dropRetiredVersions } from './dropRetiredVersions.js';
import { rebuildableViews } from './rebuildableViews.js';
import { compareVersions, swapViewVersion } from './swapViewVersion.js';
import { versionTablesOf } from './versionNames.js';
import { startViewVersion } from './viewVersions.js';

const view = rebuildableViews['pharmacy-view'];

const arbSwap = fc.record({
  scenario: arbFeedScenario(),
  /** The swap happens before this step. */
  swapAt: fc.nat(),
  /** Records per rebuild batch: larger than the live ones. */
  rebuildBatch: fc.integer({ min: 4, max: 30 }),
  /** Per partition, how many records the rebuild is ahead of (or behind) the live view at the swap. */
  lead: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: FEED_PARTITIONS, maxLength: FEED_PARTITIONS }),
});

describe('the pharmacy feed across a swap', () => {
  test('a cursor from the live version goes on in the rebuilt one: no skip, no repeat', async ({ pool }) => {
    await fc.assert(
      fc.asyncProperty(arbSwap, async ({ scenario, swapAt, rebuildBatch, lead }) => {
        await pool.query('TRUNCATE pharmacy_view_orders, pharmacy_view_patients');
        const log = feedLog(scenario.messages);
        // Per partition, the next record the live view applies.
        const next = log.map(() => 0);
        let batchNumber = 0;
        const applyLive = async (partition: number) => {
          const records = log[partition] ?? [];
          const size = scenario.batchSizes[batchNumber++ % scenario.batchSizes.length] ?? 1;
          const from = next[partition] ?? 0;
          await applyRecords(pool, partition, records.slice(from, from + size));
          next[partition] = Math.min(records.length, from + size);
        };
        const rebuildAndSwap = async () => {
          const version = await startViewVersion(pool, view);
          const shadow = versionTablesOf(pharmacyViewTables, version.version);
          for (const [partition, records] of log.entries()) {
            const upTo = Math.max(0, Math.min(records.length, (next[partition] ?? 0) + (lead[partition] ?? 0)));
            const folded: LogRecord[] = records.slice(0, upTo);
            for (let at = 0; at < folded.length; at += rebuildBatch) {
              await applyRecords(pool, partition, folded.slice(at, at + rebuildBatch), shadow);
            }
            // The live consumer goes on from the rebuilt version's offsets.
            next[partition] = upTo;
          }
          const plan = { view, topic: 'feed-test', liveVersion: version.liveVersion, version: version.version };
          const swap = await swapViewVersion(
            pool,
            { ...plan, requireSameOffsets: false },
            await compareVersions(pool, plan),
          );
          expect(swap.kind).toBe('swapped');
          await dropRetiredVersions(pool, view);
        };

        const reader = checkingReader(pool, scenario);
        const steps = scenario.steps;
        const swapStep = swapAt % (steps.length + 1);
        for (const [i, step] of steps.entries()) {
          if (i === swapStep) await rebuildAndSwap();
          if (step.kind === 'read') await reader.read();
          else await applyLive(step.partition);
        }
        if (swapStep === steps.length) await rebuildAndSwap();
        for (const [partition, records] of log.entries()) {
          while ((next[partition] ?? 0) < records.length) await applyLive(partition);
        }
        expect(await reader.expectCaughtUp()).toEqual([]);
      }),
      { seed: 20261207, numRuns: 30, endOnFailure: true },
    );
  });
});
