/**
 * The console's real-browser harness: the Chromium of @sparticuz/chromium driven by
 * playwright-core, and signing in from the console's start page through the development
 * issuer's sign-in page (authorization code + PKCE) as a role. I/O (a browser process).
 */
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';

export async function launchConsoleBrowser(): Promise<Browser> {
  return playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
}

/** From the console's start page through the development issuer's sign-in page, as `role`. */
export async function signInToConsole(page: Page, role: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dev-issuer\/authorize\?/);
  await page.locator(`input[name="role"][value="${role}"]`).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-role').waitFor();
}

/** A page of the console that collects the browser's console errors (a CSP violation shows there). */
export async function openConsole(
  browser: Browser,
  baseURL: string,
): Promise<{ readonly page: Page; readonly errors: string[] }> {
  // A named locale: the process's may be one the browser's Intl refuses (en-US@posix).
  const page = await browser.newPage({ baseURL, locale: 'en-GB', viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/console/');
  return { page, errors };
}

/**
 * With CONSOLE_SCREENSHOT set, a screenshot of the page to docs/console-<name>.png (the README
 * shows them); ordinary runs write nothing.
 */
export async function consoleScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOT === undefined) return;
  await page.screenshot({
    path: fileURLToPath(new URL(`../../docs/console-${name}.png`, import.meta.url)),
    fullPage: true,
  });
}
