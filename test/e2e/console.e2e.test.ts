/**
 * The console in a real browser (the Chromium of @sparticuz/chromium, driven by playwright-core)
 * against the running service: it signs in through the development issuer's page with the
 * authorization-code flow and PKCE, as an operator (the operations section and its count of
 * parked inputs, no patient section) and as a GP (the patient section, whose search loads a GP
 * summary with the discharge delivered first). With CONSOLE_SCREENSHOT set, the signed-in shell
 * is saved to docs/console-shell.png (the README's picture).
 */
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { awaitCatchUp, tailCanonicalLog } from '../support/invariantCheck.js';
import { deliverSample, readCanonicalEvents, serviceTest as test } from '../support/serviceUnderTest.js';

const SCREENSHOT = fileURLToPath(new URL('../../docs/console-shell.png', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
});
afterAll(async () => {
  await browser?.close();
});

/** From the console's start page through the development issuer's sign-in page, as `role`. */
async function signIn(page: Page, role: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dev-issuer\/authorize\?/);
  await page.locator(`input[name="role"][value="${role}"]`).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-role').waitFor();
}

const sectionLinks = (page: Page) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();

describe('the console in a browser', () => {
  test('signs in with code + PKCE and shows each role its sections and data', async ({ service }) => {
    const tail = await tailCanonicalLog(service);
    try {
      expect((await deliverSample(service, 'hl7v2/adt_a03_discharge.hl7')).ack).toBe('AA');
      await awaitCatchUp(tail, service.api);
    } finally {
      await tail.close();
    }
    const [discharge] = await readCanonicalEvents(service);
    if (discharge === undefined) throw new Error('the discharge did not reach the log');
    const nhs = discharge.patient.nhsNumber;

    const page = await browser.newPage({ baseURL: service.httpUrl, viewport: { width: 1000, height: 640 } });
    const failures: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') failures.push(message.text()); // a CSP violation shows here
    });
    await page.goto('/console/');
    expect(await page.title()).toBe('Clinical event log console');

    await signIn(page, 'operator');
    // The code is exchanged and gone from the address.
    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(page.url()).not.toContain('code=');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('operator');
    expect(await sectionLinks(page)).toEqual(['Operations']);
    await expect.poll(() => page.getByTestId('parked-count').textContent()).toMatch(/^\d+$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'gp');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('gp');
    expect(await sectionLinks(page)).toEqual(['Patient']);
    await page.getByLabel('NHS number').fill(nhs);
    await page.getByRole('button', { name: 'Load GP summary' }).click();
    await expect.poll(() => page.getByTestId('discharge-count').textContent()).toBe('1');
    expect(await page.title()).not.toContain(nhs);
    if (process.env.CONSOLE_SCREENSHOT !== undefined) await page.screenshot({ path: SCREENSHOT });
    expect(failures).toEqual([]);
    await page.close();
  });
});
