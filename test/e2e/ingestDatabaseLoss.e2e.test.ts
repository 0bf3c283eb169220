/**
 * The adapters when PostgreSQL drops their connections while the sample timeline streams in
 * (a failover, a restart, pg_terminate_backend): a message that could not be processed is
 * answered AR 207 (HL7) or 5xx (HTTP), never left unanswered, and the service keeps running.
 * Senders resend, as real ones do; in the end the log holds exactly the timeline's events
 * (resends add none), parked inputs are released, and the views catch up with no dead letter.
 */
import pg from 'pg';
import { describe, expect } from 'vitest';
import { errOf, msaOf, openMllp } from '../support/mllpClient.js';
import { type NeutralEvent, toNeutral } from '../support/neutralEvent.js';
import { expectedOutcomes, sampleBytes } from '../support/samples.js';
import {
  deliverSample,
  readCanonicalEvents,
  type ServiceUnderTest,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { timelineLines } from '../support/timelineEvents.js';
import { fetchWithRole } from '../support/tokens.js';

const expectedByInput = new Map(expectedOutcomes().map((e) => [e.input, e]));
const sorted = (events: readonly NeutralEvent[]) => [...events].map((e) => JSON.stringify(e)).sort();

/** The answers that asked for a resend: AR 207 over MLLP, and the HTTP statuses. */
const resendAnswers: string[] = [];

/** Delivers one sample as a sender would: again while the answer says "not stored, resend". */
async function deliverUntilTaken(service: ServiceUnderTest, file: string): Promise<{ resends: number }> {
  for (let resends = 0; resends < 50; resends += 1) {
    if (file.startsWith('hl7v2/')) {
      const client = await openMllp(service.mllpPort);
      try {
        const ack = await client.send(sampleBytes(file));
        if (!(msaOf(ack).code === 'AR' && errOf(ack).includes('207'))) return { resends };
        resendAnswers.push('AR 207');
      } finally {
        client.close();
      }
    } else {
      const delivery = await deliverSample(service, file);
      if ((delivery.httpStatus ?? 500) < 500) return { resends };
      resendAnswers.push(String(delivery.httpStatus));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${file} was never taken`);
}

describe('the adapters when PostgreSQL drops their connections', () => {
  test('answer every message, lose none and duplicate none; the views catch up', async ({ service, databaseUrl }) => {
    const admin = new pg.Client({ connectionString: databaseUrl.toString() });
    await admin.connect();
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      while (terminating) {
        const killed = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'cel-adapters'`,
        );
        terminated += killed.rows[0]?.n ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    let resends = 0;
    try {
      const lines = timelineLines();
      for (const line of lines) resends += (await deliverUntilTaken(service, line.file)).resends;
      terminating = false;
      await terminator;
      expect(terminated).toBeGreaterThan(0);

      await service.ingest.idle();
      const adding = lines.filter((l) => l.outcome !== 'duplicate').map((l) => l.file);
      const expected = adding.flatMap((file) => {
        const outcome = expectedByInput.get(file);
        if (outcome === undefined) throw new Error(`no expected outcome for ${file}`);
        return [...outcome.events, ...(outcome.outcome === 'parked' ? (outcome.eventsWhenResolved ?? []) : [])];
      });
      // Parked inputs are released when their patient becomes known, possibly after a retry.
      await expect
        .poll(async () => new Set((await readCanonicalEvents(service)).map((e) => e.eventId)).size, {
          timeout: 30_000,
          interval: 500,
        })
        .toBe(expected.length);
      const events = await readCanonicalEvents(service);
      const once = [...new Map(events.map((e) => [e.eventId, e])).values()];
      expect(sorted(once.map(toNeutral))).toEqual(sorted(expected));

      await expect
        .poll(
          async () =>
            ((await (await fetchWithRole(`${service.httpUrl}/health`)).json()) as { viewLag: object }).viewLag,
          {
            timeout: 30_000,
            interval: 250,
          },
        )
        .toEqual({
          'gp-view': 0,
          'pharmacy-view': 0,
          'care-plan-view': 0,
          'audit-index': 0,
          'audit-receipts': 0,
          'access-log': 0,
        });
      const deadLetters = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM view_dead_letters');
      expect(deadLetters.rows[0]?.n).toBe(0);
      // "Not stored, send it again" in each channel's own terms: never a bare 500.
      expect(resendAnswers.filter((a) => a !== 'AR 207' && a !== '503')).toEqual([]);
      console.log(`terminated ${terminated} connections; ${resends} resends (${resendAnswers.join(', ')})`);
    } finally {
      terminating = false;
      await terminator.catch(() => undefined);
      await admin.end();
    }
  }, 180_000);
});
