import { describe, expect, test } from 'vitest';
import { defaultLtcCodes, isLtcCode, ltcListId, parseLtcCodes } from './ltcCodes.js';

describe('the default LTC list', () => {
  test.each([
    { code: '44054006', codeSystem: 'SNOMED_CT' as const },
    { code: '73211009', codeSystem: 'SNOMED_CT' as const },
    { code: '13645005', codeSystem: 'SNOMED_CT' as const },
    { code: '195967001', codeSystem: 'SNOMED_CT' as const },
    { code: '84114007', codeSystem: 'SNOMED_CT' as const },
    { code: '709044004', codeSystem: 'SNOMED_CT' as const },
    { code: '59621000', codeSystem: 'SNOMED_CT' as const },
    { code: '38341003', codeSystem: 'SNOMED_CT' as const },
    { code: '49436004', codeSystem: 'SNOMED_CT' as const },
    { code: '46635009', codeSystem: 'SNOMED_CT' as const },
    { code: 'E10.9', codeSystem: 'ICD_10' as const },
    { code: 'E11.9', codeSystem: 'ICD_10' as const },
    { code: 'E119', codeSystem: 'ICD_10' as const },
    { code: 'e11.2', codeSystem: 'ICD_10' as const },
    { code: 'J44.1', codeSystem: 'ICD_10' as const },
    { code: 'J45.9', codeSystem: 'ICD_10' as const },
    { code: 'I50.0', codeSystem: 'ICD_10' as const },
    { code: 'N18.3', codeSystem: 'ICD_10' as const },
    { code: 'I10', codeSystem: 'ICD_10' as const },
    { code: 'I10X', codeSystem: 'ICD_10' as const },
    { code: 'I48.0', codeSystem: 'ICD_10' as const },
    { code: 'E12.9', codeSystem: 'ICD_10' as const },
    { code: 'E14.9', codeSystem: 'ICD_10' as const },
    { code: 'J46', codeSystem: 'ICD_10' as const },
    { code: 'I11.0', codeSystem: 'ICD_10' as const },
    { code: 'I13.2', codeSystem: 'ICD_10' as const },
    { code: 'I15.9', codeSystem: 'ICD_10' as const },
  ])('$codeSystem $code is on the list', ({ code, codeSystem }) => {
    expect(isLtcCode(defaultLtcCodes, codeSystem, code)).toBe(true);
  });

  test.each([
    { name: 'pneumonia', code: '233604007', codeSystem: 'SNOMED_CT' as const },
    { name: 'obesity', code: '414916001', codeSystem: 'SNOMED_CT' as const },
    { name: 'prediabetes', code: '714628002', codeSystem: 'SNOMED_CT' as const },
    { name: "Ménière's disease", code: '13445001', codeSystem: 'SNOMED_CT' as const },
    { name: 'vertigo', code: '399153001', codeSystem: 'SNOMED_CT' as const },
    { name: 'gestational diabetes', code: 'O24.4', codeSystem: 'ICD_10' as const },
    { name: 'emphysema (left to the service)', code: 'J43.9', codeSystem: 'ICD_10' as const },
    { name: 'a SNOMED id that only starts like one on the list', code: '4405400', codeSystem: 'SNOMED_CT' as const },
    { name: 'an ICD-10 prefix sent as SNOMED CT', code: 'E11', codeSystem: 'SNOMED_CT' as const },
    { name: 'a SNOMED id sent as ICD-10', code: '44054006', codeSystem: 'ICD_10' as const },
    { name: 'a dm+d code', code: '44054006', codeSystem: 'DMD' as const },
  ])('$name is not', ({ code, codeSystem }) => {
    expect(isLtcCode(defaultLtcCodes, codeSystem, code)).toBe(false);
  });
});

describe('an LTC list from a file (LTC_CODES_FILE)', () => {
  test('parses, normalises ICD-10 prefixes, sorts and drops repeats', () => {
    expect(
      parseLtcCodes({ snomedCt: [' 84114007', '44054006', '84114007'], icd10Prefixes: ['i50', 'E11.', 'J45'] }),
    ).toEqual({ ok: true, value: { snomedCt: ['44054006', '84114007'], icd10Prefixes: ['E11', 'I50', 'J45'] } });
  });

  test.each([
    { json: [], error: 'expected a JSON object with "snomedCt" and "icd10Prefixes" arrays' },
    {
      json: { snomedCt: [], icd10Prefixes: [], copd: [] },
      error: 'unknown key "copd"; expected only "snomedCt" and "icd10Prefixes"',
    },
    { json: { icd10Prefixes: ['E11'] }, error: '"snomedCt": expected an array of strings' },
    {
      json: { snomedCt: ['E11'], icd10Prefixes: [] },
      error: '"snomedCt"[0]: "E11" is not a SNOMED CT concept id (6–18 digits)',
    },
    {
      json: { snomedCt: [], icd10Prefixes: ['diabetes'] },
      error: '"icd10Prefixes"[0]: "diabetes" is not an ICD-10 prefix such as E11 or I10X',
    },
    {
      json: { snomedCt: [], icd10Prefixes: [11] },
      error: '"icd10Prefixes"[0]: 11 is not an ICD-10 prefix such as E11 or I10X',
    },
    {
      json: { snomedCt: [], icd10Prefixes: [] },
      error: 'the list is empty: no diagnosis would open a long-term-condition review',
    },
  ])('refuses $json with the fault named', ({ json, error }) => {
    expect(parseLtcCodes(json)).toEqual({ ok: false, error });
  });

  test('the built-in list parses as it is, and its id depends on content only', () => {
    const parsed = parseLtcCodes(JSON.parse(JSON.stringify(defaultLtcCodes)));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(ltcListId(parsed.value)).toBe(ltcListId(defaultLtcCodes));
    expect(ltcListId({ snomedCt: ['84114007'], icd10Prefixes: ['I50'] })).toBe(
      ltcListId({ snomedCt: ['84114007', '84114007'], icd10Prefixes: ['i50'] }),
    );
    expect(ltcListId({ snomedCt: ['84114007'], icd10Prefixes: [] })).not.toBe(ltcListId(defaultLtcCodes));
  });
});
