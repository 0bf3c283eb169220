/**
 * The console's operations and audit pages in a real browser against the running service. As
 * an operator: a rejected input is listed with its reason, and its re-drive answers that it is
 * still rejected (a wrong check digit has to be fixed by the sender); a parked input whose
 * patient mapping has since been learned is re-driven from its button and leaves the table; the
 * live charts show their latest readings. As an auditor: a GP's read of a patient's summary is
 * listed under "who viewed this record", and the patient's chain verifies ok.
 */
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { consoleScreenshot, launchConsoleBrowser, openConsole, signInToConsole } from '../support/consoleBrowser.js';
import { awaitCatchUp, tailCanonicalLog } from '../support/invariantCheck.js';
import { deliverSample, readCanonicalEvents, serviceTest as test } from '../support/serviceUnderTest.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchConsoleBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the console operations and audit pages', () => {
  test('an operator re-drives held inputs and an auditor sees who viewed a record', async ({
    service,
    databaseUrl,
  }) => {
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
    expect((await deliverSample(service, 'hl7v2/bad_invalid_nhs_check_digit.hl7')).ack).toBe('AE');
    expect((await deliverSample(service, 'hl7v2/adt_a08_mrn_only_parked.hl7')).ack).toBe('AA');

    // The parked input's patient becomes known (as after a mapping learned elsewhere); its re-drive now releases it.
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    try {
      const waiting = await db.query<{ authority: string; local_id: string }>(
        "SELECT waiting_authority AS authority, waiting_local_id AS local_id FROM ingest_parked WHERE status = 'parked'",
      );
      const [row] = waiting.rows;
      if (row === undefined) throw new Error('the parked input waits on a local identifier');
      await db.query('INSERT INTO patient_identity_xref (authority, local_id, nhs_number) VALUES ($1, $2, $3)', [
        row.authority,
        row.local_id,
        nhs,
      ]);
    } finally {
      await db.end();
    }

    // A GP reads the patient's summary: the access log records it.
    const gp = await service.tokens.token('gp', { sub: 'dr-console', clientId: 'gp-portal' });
    expect((await service.api.as({ bearerToken: gp }).get(`/patients/${nhs}/gp-summary`)).status).toBe(200);

    const { page, errors } = await openConsole(browser, service.httpUrl);
    await signInToConsole(page, 'operator');
    const rejected = page.getByTestId('rejected-table');
    await rejected.getByRole('row').nth(1).waitFor();
    expect(await rejected.getByRole('row').count()).toBe(2); // header + the one rejected input
    expect(await rejected.textContent()).toMatch(/nhs/i);
    const rejectedButton = rejected.getByRole('button', { name: /^Re-drive rejected input \d+$/ });
    const rejectedName = (await rejectedButton.textContent()) ?? '';
    await rejectedButton.click();
    await expect
      .poll(() => page.getByTestId('redrive-outcome').textContent())
      .toBe(`${rejectedName.replace('Re-drive ', 'Re-drive of ')}: rejected`);
    expect(await page.getByTestId('rejected-count').textContent()).toBe('1'); // still rejected, by design
    await consoleScreenshot(page, 'operations');

    const parked = page.getByTestId('parked-table');
    await parked.getByRole('button', { name: /^Re-drive parked input \d+$/ }).click();
    await expect
      .poll(() => page.getByTestId('redrive-outcome').textContent())
      .toMatch(/^Re-drive of parked input \d+: /);
    expect(await page.getByTestId('redrive-outcome').textContent()).not.toContain('failed');
    await expect.poll(() => page.getByTestId('parked-count').textContent()).toBe('0');

    await expect.poll(() => page.getByText('Consumer lag per view, latest:').textContent()).toMatch(/records\)$/);
    await expect
      .poll(() => page.getByText('Ingest rates, latest:').textContent(), { timeout: 15_000 })
      .toMatch(/accepted/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInToConsole(page, 'auditor');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('NHS number').fill(nhs);
    // The access-log index applies the GP's read shortly after it was answered.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Show who viewed this record' }).click();
          return page
            .getByTestId('access-table')
            .textContent({ timeout: 2000 })
            .catch(() => '');
        },
        { timeout: 20_000 },
      )
      .toContain('dr-console');
    expect(await page.getByTestId('access-table').textContent()).toContain('GET /patients/:nhs/gp-summary');
    await page.getByRole('button', { name: "Verify this patient's chain" }).click();
    await expect.poll(() => page.getByTestId('chain-verdict').textContent()).toMatch(/^ok: \d+ entries/);
    await consoleScreenshot(page, 'audit');
    expect(await page.title()).not.toContain(nhs);
    expect(errors).toEqual([]);
    await page.close();
  });
});
