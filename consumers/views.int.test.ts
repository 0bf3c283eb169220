/**
 * The LTC list reaches every composition that folds the care-plan view (the service, the
 * rebuild, the point-in-time views all import consumers/views.ts), and a bad list stops a
 * process at start-up with the file named. Child processes, so each loads the module afresh.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const repoRoot = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cel-ltc-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = `
  const { ltcCodesInUse, carePlanProjection, liveViews } = await import('./consumers/views.ts');
  console.log(JSON.stringify({ ...ltcCodesInUse, sameFold: liveViews['care-plan-view'].projection === carePlanProjection }));
`;

async function viewsModule(env: Record<string, string>) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { ok: true as const, value: JSON.parse(stdout) as { codes: unknown; source: string; sameFold: boolean } };
  } catch (error) {
    return { ok: false as const, stderr: (error as { stderr: string }).stderr };
  }
}

describe('LTC_CODES_FILE', () => {
  test('the live care-plan view and the point-in-time views fold with the file list', async () => {
    const file = join(dir, 'ltc.json');
    writeFileSync(file, JSON.stringify({ snomedCt: ['37796009'], icd10Prefixes: ['G43'] }));
    expect(await viewsModule({ LTC_CODES_FILE: file })).toEqual({
      ok: true,
      value: { codes: { snomedCt: ['37796009'], icd10Prefixes: ['G43'] }, source: file, sameFold: true },
    });
  });

  test('a list that cannot be used stops the process, naming the file and the fault', async () => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, JSON.stringify({ snomedCt: [], icd10Prefixes: [] }));
    const outcome = await viewsModule({ LTC_CODES_FILE: file });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.stderr).toContain(
      `LTC_CODES_FILE ${file}: the list is empty: no diagnosis would open a long-term-condition review`,
    );
  });
});
