/**
 * The console's patient pages in a real browser against the running service, after the sample
 * timeline is played in: a GP finds the patient whose atrial fibrillation was recorded and then
 * retracted (DG1-21 D), sees the patient's events in the timeline, moves the as-of slider with
 * the keyboard to just before the retraction and sees the diagnosis among the active problems,
 * then to now and sees it gone; an auditor opens an event's raw source message and sees the
 * hash chain intact, and no GP view. The NHS number stays out of the title and the address.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { asOfStops } from '../../console/src/patient/asOfStops.js';
import { consoleScreenshot, launchConsoleBrowser, openConsole, signInToConsole } from '../support/consoleBrowser.js';
import { SAMPLES_DIR } from '../support/samples.js';
import { deliverSample, serviceTest as test } from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';

const NHS = '9992000368';
const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { file: string });

type TimelineRow = { type: string; recordedAt: string; source: { messageId: string } };

let browser: Browser;
beforeAll(async () => {
  browser = await launchConsoleBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("the console's patient pages in a browser", () => {
  test('timeline, as-of slider over the retraction, and the source message for auditors', async ({ service }) => {
    for (const line of timeline) await deliverSample(service, line.file);
    await service.ingest.idle();
    await expect
      .poll(
        async () => ((await (await fetchWithRole(`${service.httpUrl}/health`)).json()) as { viewLag?: object }).viewLag,
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toMatchObject({ 'gp-view': 0, 'pharmacy-view': 0, 'care-plan-view': 0 });
    const events = (
      (await (await fetchWithRole(`${service.httpUrl}/audit/patients/${NHS}/timeline?limit=200`)).json()) as {
        events: TimelineRow[];
      }
    ).events;
    const stops = asOfStops(events);
    const retraction = events.find((e) => e.type === 'DiagnosisRetracted');
    if (retraction === undefined) throw new Error(`the sample timeline retracts a diagnosis of ${NHS}`);
    const beforeRetraction = stops.findIndex((s) => s.asOf === new Date(retraction.recordedAt).toISOString()) - 1;
    expect(beforeRetraction).toBeGreaterThanOrEqual(0);

    const { page, errors } = await openConsole(browser, service.httpUrl);
    await page
      .getByRole('button', { name: 'Sign in' })
      .waitFor({ timeout: 5_000 })
      .catch(() => {
        throw new Error(`the console did not start: ${errors.join('; ')}`);
      });
    await signInToConsole(page, 'gp');
    await page.getByLabel('NHS number').fill('12345');
    await page.getByRole('button', { name: 'Find patient' }).click();
    await page.getByRole('alert').getByText('ten digits').waitFor();

    await page.getByLabel('NHS number').fill(`${NHS.slice(0, 3)} ${NHS.slice(3, 6)} ${NHS.slice(6)}`);
    await page.getByRole('button', { name: 'Find patient' }).click();
    const rows = page.getByTestId('timeline').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(events.length);
    expect(await page.getByTestId('timeline').textContent()).toContain('DiagnosisRetracted');
    expect(await page.getByTestId('timeline').textContent()).toContain(retraction.source.messageId);
    const problems = page.getByTestId('active-problems');
    await expect.poll(() => problems.textContent()).not.toContain('Atrial fibrillation');
    expect(await page.getByTestId('as-of-instant').textContent()).toBe('now');

    // With the keyboard: to the oldest stop, then right to the last instant before the retraction.
    const slider = page.getByRole('slider', { name: 'As of' });
    await slider.focus();
    await slider.press('Home');
    for (let i = 0; i < beforeRetraction; i++) await slider.press('ArrowRight');
    expect(await page.getByTestId('as-of-instant').textContent()).toBe(stops[beforeRetraction]?.label);
    await expect.poll(() => problems.textContent()).toContain('Atrial fibrillation');
    await consoleScreenshot(page, 'patient');

    await slider.press('End');
    expect(await page.getByTestId('as-of-instant').textContent()).toBe('now');
    await expect.poll(() => problems.textContent()).not.toContain('Atrial fibrillation');
    expect(await page.title()).not.toContain(NHS);
    expect(page.url()).not.toContain(NHS);

    // An auditor: the raw source message and the chain, and no GP view.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInToConsole(page, 'auditor');
    await page.getByLabel('NHS number').fill(NHS);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await expect.poll(() => rows.count()).toBe(events.length);
    await expect.poll(() => page.getByTestId('chain-status').textContent()).toMatch(/^intact/);
    expect(await page.getByTestId('active-problems').count()).toBe(0);
    const retractionRow = rows.filter({ hasText: 'DiagnosisRetracted' });
    await retractionRow.getByRole('button', { name: 'Show source message' }).click();
    await expect.poll(() => page.getByTestId('source-message').textContent()).toContain('Atrial fibrillation');
    expect(await page.getByTestId('source-message').textContent()).toContain(`MSH|`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
