/**
 * Point-in-time views: `?asOf` folds a patient's events as the log held them at that instant
 * with the same evolve functions as the live views. Before the AF retraction was received the
 * GP view shows AF; after it, it does not; and asOf = now equals the live view.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { SAMPLES_DIR } from '../support/samples.js';
import { deliverSample, serviceTest as test } from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';

const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { seq: number; file: string });

type Body = Record<string, unknown> & { activeProblems?: { diagnosisId: string }[] };
const get = async (url: string): Promise<{ status: number; body: Body }> => {
  const response = await fetchWithRole(url);
  return { status: response.status, body: (await response.json()) as Body };
};
const withoutAsOf = ({ asOf: _asOf, ...rest }: Body) => rest;

describe('as-of views', () => {
  test('before and after a retraction, and asOf = now equals the live view', async ({ service }) => {
    for (const line of timeline) await deliverSample(service, line.file);
    await service.ingest.idle();
    await expect
      .poll(
        async () =>
          Object.values(((await get(`${service.httpUrl}/health`)).body.viewLag ?? {}) as object).every((n) => n === 0),
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toBe(true);

    const B = '9992000368';
    // The instant just before the AF retraction was recorded, from the audit index.
    const retractions = await get(`${service.httpUrl}/audit/events?patient=${B}&type=DiagnosisRetracted`);
    const [retraction] = (retractions.body.events ?? []) as { recordedAt: string }[];
    if (retraction === undefined) throw new Error('no retraction in the audit index');
    const beforeRetraction = new Date(Date.parse(retraction.recordedAt) - 1);
    const then = await get(`${service.httpUrl}/patients/${B}/gp-summary?asOf=${beforeRetraction.toISOString()}`);
    expect(then.status).toBe(200);
    expect(then.body.activeProblems?.map((p) => p.diagnosisId)).toContain('DX20002');
    const after = await get(`${service.httpUrl}/patients/${B}/gp-summary?asOf=${new Date().toISOString()}`);
    expect(after.body.activeProblems?.map((p) => p.diagnosisId)).not.toContain('DX20002');

    const now = new Date().toISOString();
    for (const nhs of ['9991000216', '9992000368', '9993000477']) {
      for (const path of ['gp-summary', 'medications', 'care-plan']) {
        const live = await get(`${service.httpUrl}/patients/${nhs}/${path}`);
        const asOf = await get(`${service.httpUrl}/patients/${nhs}/${path}?asOf=${now}`);
        expect(withoutAsOf(asOf.body), `${nhs} ${path}`).toEqual(withoutAsOf(live.body));
      }
    }

    expect((await get(`${service.httpUrl}/patients/${B}/gp-summary?asOf=2020-01-01T00:00:00Z`)).status).toBe(404);
    expect((await get(`${service.httpUrl}/patients/${B}/gp-summary?asOf=last-tuesday`)).status).toBe(400);
  });
});
