import { describe, expect, test } from 'vitest';
import { parsedLines, sampleLines, withField, withoutSegments } from '../../test/support/hl7Lines.js';
import { readPatientIdentifiers } from './readPatientIdentifiers.js';

const a03 = sampleLines('hl7v2/adt_a03_nhs_and_mrn.hl7');
const withPid3 = (value: string) => readPatientIdentifiers(parsedLines(withField(a03, 'PID-3', value)));
const mrn = { authority: 'RXX', value: 'H2000002', identifierType: 'MR' };

describe('readPatientIdentifiers', () => {
  test.each([
    {
      name: 'NHS number and MRN',
      pid3: '9992000368^^^NHS^NH~H2000002^^^RXX^MR',
      nhsNumber: '9992000368',
      locals: [mrn],
    },
    { name: 'NHS number only', pid3: '9992000368^^^NHS^NH', nhsNumber: '9992000368', locals: [] },
    { name: 'MRN only: no NHS number, not rejected', pid3: 'H2000002^^^RXX^MR', nhsNumber: undefined, locals: [mrn] },
    {
      name: 'MRN first, then NHS number',
      pid3: 'H2000002^^^RXX^MR~9992000368^^^NHS^NH',
      nhsNumber: '9992000368',
      locals: [mrn],
    },
    { name: 'the NHS number in 3-3-4 form', pid3: '999 200 0368^^^NHS^NH', nhsNumber: '9992000368', locals: [] },
    {
      name: 'the NHS OID as authority',
      pid3: '9992000368^^^NHS&2.16.840.1.113883.2.1.4.1&ISO^NH',
      nhsNumber: '9992000368',
      locals: [],
    },
    {
      name: 'the same NHS number twice',
      pid3: '9992000368^^^NHS^NH~9992000368^^^NHS^NH',
      nhsNumber: '9992000368',
      locals: [],
    },
    { name: 'a local id is trimmed', pid3: ' H2000002 ^^^RXX^MR', nhsNumber: undefined, locals: [mrn] },
    {
      name: 'a local id takes HD.1 of its authority',
      pid3: 'H2000002^^^RXX&1.2.3&ISO^MR',
      nhsNumber: undefined,
      locals: [mrn],
    },
    {
      name: 'another local type, and one without a type',
      pid3: 'P77^^^RXX^PI~Q88^^^RXY',
      nhsNumber: undefined,
      locals: [
        { authority: 'RXX', value: 'P77', identifierType: 'PI' },
        { authority: 'RXY', value: 'Q88', identifierType: null },
      ],
    },
    {
      name: 'an id without authority is left out',
      pid3: 'X1^^^^MR~H2000002^^^RXX^MR',
      nhsNumber: undefined,
      locals: [mrn],
    },
    {
      name: 'visit and account numbers are not patients',
      pid3: 'V1^^^RXX^VN~A1^^^RXX^AN~H2000002^^^RXX^MR',
      nhsNumber: undefined,
      locals: [mrn],
    },
    {
      name: 'empty and "" repetitions are skipped',
      pid3: '~""^^^NHS^NH~H2000002^^^RXX^MR',
      nhsNumber: undefined,
      locals: [mrn],
    },
  ])('$name', ({ pid3, nhsNumber, locals }) => {
    expect(withPid3(pid3)).toEqual({
      ok: true,
      value: { nhsNumber, nhsNumberVerificationStatus: null, localIdentifiers: locals },
    });
  });

  test.each([
    { name: 'a bad check digit', pid3: '9991000217^^^NHS^NH~H2000002^^^RXX^MR', kind: 'invalid-nhs-number' },
    { name: 'a stem with no valid check digit', pid3: '9996000010^^^NHS^NH', kind: 'invalid-nhs-number' },
    { name: 'a repdigit placeholder', pid3: '9999999999^^^NHS^NH', kind: 'invalid-nhs-number' },
    { name: 'nine digits', pid3: '999200036^^^NHS^NH', kind: 'invalid-nhs-number' },
    { name: 'two different NHS numbers', pid3: '9992000368^^^NHS^NH~9991000216^^^NHS^NH', kind: 'identity-conflict' },
    { name: 'no identifier at all', pid3: '', kind: 'required-field-missing' },
    { name: 'only ids without authority', pid3: 'X1^^^^MR', kind: 'required-field-missing' },
  ])('$name: $kind at PID-3', ({ pid3, kind }) => {
    expect(withPid3(pid3)).toMatchObject({ ok: false, error: { kind, location: 'PID-3' } });
  });

  test('an invalid NHS number is never echoed in the reason', () => {
    const read = withPid3('9991000217^^^NHS^NH');
    expect(read.ok ? '' : read.error.reason).toBe(
      'PID-3 repetition 1 (type NH): NHS number fails the modulus 11 check',
    );
  });

  test('no PID: segment-missing at PID', () => {
    expect(readPatientIdentifiers(parsedLines(withoutSegments(a03, 'PID')))).toEqual({
      ok: false,
      error: { kind: 'segment-missing', location: 'PID', reason: 'required segment PID is missing' },
    });
  });
});
