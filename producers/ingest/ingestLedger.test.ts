import { describe, expect, test } from 'vitest';
import type { NhsNumber } from '../../core/nhsNumber.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { KnownMapping } from '../patient/decidePatient.js';
import { mappingsOf } from './ingestLedger.js';

const nhs = (n: string) => n as NhsNumber;
const local = (authority: string, value: string) => ({ authority, value, identifierType: 'MR' });
const patient = (nhsNumber: string | undefined, ...locals: ReturnType<typeof local>[]): PatientIdentifiers => ({
  nhsNumber: nhsNumber === undefined ? undefined : nhs(nhsNumber),
  nhsNumberVerificationStatus: null,
  localIdentifiers: locals,
});

// One read serves every patient of a message: each patient gets only the mappings that concern it.
const mappings: KnownMapping[] = [
  { authority: 'RXX', localId: 'A1', nhsNumber: nhs('9990000018') },
  { authority: 'RXX', localId: 'A2', nhsNumber: nhs('9990000026') },
  { authority: 'RYY', localId: 'A1', nhsNumber: nhs('9990000034') },
  { authority: 'RZZ', localId: 'Z9', nhsNumber: nhs('9990000018') },
];

describe('mappingsOf', () => {
  test('a patient with local identifiers only gets the mappings of those identifiers, authority and value both', () => {
    expect(mappingsOf(patient(undefined, local('RXX', 'A1')), mappings)).toEqual([mappings[0]]);
  });

  test('a patient with an NHS number also gets every mapping of that number', () => {
    expect(mappingsOf(patient('9990000018'), mappings)).toEqual([mappings[0], mappings[3]]);
    expect(mappingsOf(patient('9990000026', local('RYY', 'A1')), mappings)).toEqual([mappings[1], mappings[2]]);
  });

  test('a patient nothing is known about gets none', () => {
    expect(mappingsOf(patient(undefined, local('RXX', 'B7')), mappings)).toEqual([]);
    expect(mappingsOf(patient(undefined), mappings)).toEqual([]);
  });
});
