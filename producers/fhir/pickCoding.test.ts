import { describe, expect, test } from 'vitest';
import type { FhirCoding } from './fhirSchemas.js';
import { codingsOf, diagnosisCodeSystems, medicationCodeSystems, pickCoding } from './pickCoding.js';

const SCT = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const ICD10_UK = 'http://hl7.org/fhir/sid/icd-10-uk';
const DMD = 'https://dmd.nhs.uk';
const LOCAL = 'https://fhir.gp.example/CodeSystem/local';

const diagnosis = (...coding: FhirCoding[]) => pickCoding({ coding }, diagnosisCodeSystems, 'Condition.code');
const medication = (...coding: FhirCoding[]) =>
  pickCoding({ coding }, medicationCodeSystems, 'MedicationRequest.medicationCodeableConcept');

describe('pickCoding', () => {
  test.each([
    {
      name: 'SNOMED CT',
      coding: [{ system: SCT, code: '44054006', display: 'T2DM' }],
      code: '44054006',
      codeSystem: 'SNOMED_CT',
    },
    { name: 'ICD-10', coding: [{ system: ICD10, code: 'E11.9' }], code: 'E11.9', codeSystem: 'ICD_10' },
    { name: 'ICD-10 UK edition', coding: [{ system: ICD10_UK, code: 'I10X' }], code: 'I10X', codeSystem: 'ICD_10' },
    {
      name: 'the first accepted coding wins, in the order sent',
      coding: [
        { system: ICD10, code: 'E11.9' },
        { system: SCT, code: '44054006' },
      ],
      code: 'E11.9',
      codeSystem: 'ICD_10',
    },
    {
      name: 'a local coding before it is passed over',
      coding: [
        { system: LOCAL, code: 'X1' },
        { system: SCT, code: '44054006' },
      ],
      code: '44054006',
      codeSystem: 'SNOMED_CT',
    },
    {
      name: 'an accepted coding without a code is passed over',
      coding: [{ system: SCT }, { system: ICD10, code: 'E11.9' }],
      code: 'E11.9',
      codeSystem: 'ICD_10',
    },
  ])('diagnosis: $name', ({ coding, code, codeSystem }) => {
    const picked = diagnosis(...coding);
    expect(picked.ok && picked.value && [picked.value.code, picked.value.codeSystem]).toEqual([code, codeSystem]);
  });

  test('the display is carried, or null', () => {
    expect(diagnosis({ system: SCT, code: '1', display: 'One' })).toEqual({
      ok: true,
      value: { code: '1', codeSystem: 'SNOMED_CT', display: 'One' },
    });
    expect(diagnosis({ system: SCT, code: '1' })).toEqual({
      ok: true,
      value: { code: '1', codeSystem: 'SNOMED_CT', display: null },
    });
  });

  test('medication: dm+d is preferred to SNOMED CT whatever the order, and SNOMED CT is taken as received', () => {
    const both = medication({ system: SCT, code: '320000009' }, { system: DMD, code: '320000009' });
    expect(both.ok && both.value?.codeSystem).toBe('DMD');
    const sctOnly = medication({ system: SCT, code: '320000009' });
    expect(sctOnly.ok && sctOnly.value?.codeSystem).toBe('SNOMED_CT');
  });

  test('ICD-10 is not a medicine code system', () => {
    const picked = medication({ system: ICD10, code: 'E11.9' });
    expect(picked.ok ? undefined : picked.error.kind).toBe('unknown-code-system');
  });

  test.each([
    {
      name: 'only other systems',
      coding: [{ system: LOCAL, code: 'X1' }, { code: 'no-system' }],
      kind: 'unknown-code-system',
      location: 'Condition.code.coding',
    },
    { name: 'no coding (text only)', coding: [], kind: 'required-field-missing', location: 'Condition.code.coding' },
    {
      name: 'an accepted system without a code',
      coding: [{ system: LOCAL, code: 'X1' }, { system: SCT }],
      kind: 'required-field-missing',
      location: 'Condition.code.coding[1].code',
    },
  ])('$name: $kind at $location', ({ coding, kind, location }) => {
    const picked = diagnosis(...coding);
    expect(picked.ok ? undefined : { kind: picked.error.kind, location: picked.error.location }).toEqual({
      kind,
      location,
    });
  });

  test('an absent concept is undefined: whether that is allowed is the caller rule', () => {
    expect(pickCoding(undefined, diagnosisCodeSystems, 'Condition.code')).toEqual({ ok: true, value: undefined });
  });
});

describe('codingsOf', () => {
  test('keeps every coding with a system and a code, in order, with its display or null', () => {
    expect(
      codingsOf({
        coding: [
          { system: ICD10, code: 'J44.1', display: 'COPD' },
          { system: LOCAL, code: 'X1' },
          { display: 'no system, no code' },
        ],
      }),
    ).toEqual([
      { system: ICD10, code: 'J44.1', display: 'COPD' },
      { system: LOCAL, code: 'X1', display: null },
    ]);
  });
});
