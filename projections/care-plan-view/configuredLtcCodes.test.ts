import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { aDiagnosis } from '../../test/support/eventBuilders.js';
import { foldEvents } from '../projection.js';
import { createCarePlanView } from './carePlanView.js';
import { configuredLtcCodes, LtcCodesFileError } from './configuredLtcCodes.js';
import { defaultLtcCodes } from './ltcCodes.js';

const dir = mkdtempSync(join(tmpdir(), 'cel-ltc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('the LTC list a deployment configures', () => {
  test('unset: the built-in list', () => {
    expect(configuredLtcCodes({})).toEqual({ codes: defaultLtcCodes, source: 'built-in' });
  });

  test('a file list decides which diagnosis opens a review', () => {
    // Migraine is on no built-in list; a service that reviews it says so in its file.
    const path = file('migraine.json', JSON.stringify({ snomedCt: ['37796009'], icd10Prefixes: ['G43'] }));
    const configured = configuredLtcCodes({ LTC_CODES_FILE: path });
    expect(configured).toEqual({ codes: { snomedCt: ['37796009'], icd10Prefixes: ['G43'] }, source: path });
    const migraine = aDiagnosis({ code: 'G43.9', codeSystem: 'ICD_10', codings: [] });
    const heartFailure = aDiagnosis({ diagnosisId: 'DX-HF', code: 'I50.9', codeSystem: 'ICD_10', codings: [] });
    const tasksWith = (view: ReturnType<typeof createCarePlanView>) =>
      view.rows('9434765919', foldEvents(view, [migraine, heartFailure])).tasks.map((t) => t.taskId);
    expect(tasksWith(createCarePlanView(configured.codes))).toEqual([
      `long-term-condition-review:${migraine.diagnosisId}`,
    ]);
    expect(tasksWith(createCarePlanView(defaultLtcCodes))).toEqual(['long-term-condition-review:DX-HF']);
  });

  test.each([
    { name: 'a missing file', path: () => join(dir, 'absent.json'), fault: /cannot be read \(ENOENT\)/ },
    { name: 'a file that is not JSON', path: () => file('bad.json', '{snomedCt'), fault: /not JSON/ },
    {
      name: 'a list with a wrong code',
      path: () => file('wrong.json', JSON.stringify({ snomedCt: ['heart failure'], icd10Prefixes: [] })),
      fault: /"snomedCt"\[0\]: "heart failure" is not a SNOMED CT concept id/,
    },
  ])('$name stops start-up naming the file and the fault', ({ path, fault }) => {
    const named = path();
    expect(() => configuredLtcCodes({ LTC_CODES_FILE: named })).toThrow(LtcCodesFileError);
    expect(() => configuredLtcCodes({ LTC_CODES_FILE: named })).toThrow(fault);
    expect(() => configuredLtcCodes({ LTC_CODES_FILE: named })).toThrow(`LTC_CODES_FILE ${named}: `);
  });
});
