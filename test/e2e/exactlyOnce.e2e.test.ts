/**
 * Exactly-once effect of the view consumers under the failures that break naive ones: every
 * event on the log three times, consumers killed (kill -9) mid-batch and between the
 * PostgreSQL COMMIT and the Kafka commit, a graceful restart mid-stream, two members of one
 * group rebalancing under load, and a member frozen (SIGSTOP) until its partitions have moved
 * and then resumed. Each time the views must equal a reference fold of the whole topic.
 */
import { describe, expect } from 'vitest';
import { registryTest as test } from '../../registry/registryUnderTest.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import {
  type ChildRun,
  caughtUp,
  expectViewsToEqualReference,
  openViewLog,
  produce,
  startViewWorker,
  VIEWS,
  type ViewLog,
} from '../support/viewLog.js';
import { workload } from '../support/viewWorkload.js';

/** Small fetches, so a run has many batches for the failpoints to fall in. */
const SMALL_BATCHES = { CEL_MAX_BATCH_BYTES: '8192' } as const;
const startWorker = (log: ViewLog, env: Readonly<Record<string, string>> = {}) =>
  startViewWorker(log, { ...SMALL_BATCHES, ...env });

/** The views equal the reference fold, and no view but the three has processed events. */
async function expectOnlyTheViewsToEqualReference(log: ViewLog, events: readonly ClinicalEvent[]) {
  await expectViewsToEqualReference(log, events);
  const views = await log.pool.query<{ view: string }>('SELECT DISTINCT view FROM view_processed_events ORDER BY view');
  expect(views.rows.map((r) => r.view)).toEqual([...VIEWS].sort());
}

describe('exactly-once views', () => {
  test('every event three times, kill -9 mid-batch and after COMMIT, restarts mid-stream: identical views', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(150);
    try {
      await produce(log, events);
      const midBatch = await startWorker(log, { CEL_FAILPOINT: 'mid-batch:3' });
      expect(await midBatch.exited).toBe('SIGKILL');
      await produce(log, events);
      const afterCommit = await startWorker(log, { CEL_FAILPOINT: 'after-commit:3' });
      expect(await afterCommit.exited).toBe('SIGKILL');
      const graceful = await startWorker(log);
      await produce(log, events); // the third copy arrives while it runs
      graceful.child.kill('SIGTERM');
      await graceful.exited;
      const last = await startWorker(log);
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      last.child.kill('SIGTERM');
      await last.exited;
      await expectOnlyTheViewsToEqualReference(log, events);
    } finally {
      await log.pool.end();
    }
  });

  test('two members rebalancing under load, one frozen (SIGSTOP) until its partitions move: identical views', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    const events = workload(180);
    const third = Math.ceil(events.length / 3);
    const workers: ChildRun[] = [];
    try {
      workers.push(await startWorker(log));
      await produce(log, events.slice(0, third));
      workers.push(await startWorker(log)); // joins: the group rebalances under load
      await produce(log, events.slice(third, 2 * third));
      const frozen = workers[0];
      frozen?.child.kill('SIGSTOP');
      await produce(log, events.slice(2 * third));
      await produce(log, events); // and everything again: duplicates
      // The frozen member misses its heartbeats; its partitions move to the other member.
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      frozen?.child.kill('SIGCONT'); // a zombie with a batch in hand: its offset compare-and-set fails
      await produce(log, events.slice(0, 50));
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      await expectOnlyTheViewsToEqualReference(log, events);
    } finally {
      for (const w of workers) {
        w.child.kill('SIGCONT');
        w.child.kill('SIGTERM');
        await w.exited;
      }
      await log.pool.end();
    }
  });
});
