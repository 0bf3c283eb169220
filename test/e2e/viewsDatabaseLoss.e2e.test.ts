/**
 * The views when PostgreSQL drops their connections while they apply (a failover, a restart,
 * an administrator's pg_terminate_backend): `npm run views` keeps running, retries each batch
 * without counting it against its records (nothing is dead-lettered), and the views equal a
 * reference fold of the whole log — nothing lost, nothing applied twice.
 */
import pg from 'pg';
import { registryTest as test } from '../../registry/registryUnderTest.js';
import { describe, expect } from '../support/fixtures.js';
import {
  caughtUp,
  expectViewsToEqualReference,
  openViewLog,
  produce,
  startViewWorker,
  stopChild,
} from '../support/viewLog.js';
import { patientEvents } from '../support/viewWorkload.js';

describe('the views when PostgreSQL drops their connections', () => {
  test('keep running, dead-letter nothing, and equal the reference fold', async ({
    databaseUrl,
    registryUrl,
    kafkaBrokers,
  }) => {
    const log = await openViewLog({ databaseUrl, registryUrl, kafkaBrokers });
    // 12 rounds of 20 patients' events each.
    const rounds = Array.from({ length: 12 }, (_, r) =>
      Array.from({ length: 20 }, (_, i) => patientEvents(r * 20 + i)).flat(),
    );
    const events = rounds.flat();
    const [first = [], ...rest] = rounds;
    await produce(log, first);
    const admin = new pg.Client({ connectionString: databaseUrl.toString() });
    await admin.connect();
    // Small batches, so that the terminations land inside many of them; more events arrive
    // round by round, so that there is work in hand whenever the connections are dropped.
    const worker = await startViewWorker(log, { CEL_MAX_BATCH_BYTES: '8192', LOG_LEVEL: 'warn' });
    try {
      let terminated = 0;
      for (const slice of [...rest, [], []]) {
        await produce(log, slice);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const killed = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'cel-views'`,
        );
        terminated += killed.rows[0]?.n ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(terminated).toBeGreaterThan(0);
      await expect.poll(() => caughtUp(log), { timeout: 90_000, interval: 250 }).toBe(true);
      expect(worker.child.exitCode, worker.stderr()).toBeNull(); // still running
      // The terminations met work in hand, which was retried.
      expect(worker.stderr()).toMatch(/transient database error; retrying the batch|connection lost while in use/);
      await expectViewsToEqualReference(log, events);
      const deadLetters = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM view_dead_letters');
      expect(deadLetters.rows[0]?.n).toBe(0);
    } finally {
      await stopChild(worker);
      await admin.end();
      await log.pool.end();
    }
  }, 180_000);
});
