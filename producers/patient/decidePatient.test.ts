import { describe, expect, test } from 'vitest';
import type { NhsNumber } from '../../core/nhsNumber.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import { decidePatient, type KnownMapping } from './decidePatient.js';

const A = '9991000216' as NhsNumber;
const B = '9992000368' as NhsNumber;
const mrn = (value: string, authority = 'RXX') => ({ authority, value, identifierType: 'MR' });
const ids = (nhsNumber: NhsNumber | undefined, ...locals: ReturnType<typeof mrn>[]): PatientIdentifiers => ({
  nhsNumber,
  nhsNumberVerificationStatus: null,
  localIdentifiers: locals,
});
const known = (authority: string, localId: string, nhsNumber: NhsNumber): KnownMapping => ({
  authority,
  localId,
  nhsNumber,
});

describe('decidePatient', () => {
  test('an NHS number alone resolves and teaches nothing', () => {
    expect(decidePatient(ids(A), [])).toEqual({
      kind: 'resolved',
      nhsNumber: A,
      learns: [],
      resolvedThrough: undefined,
    });
  });

  test('NHS number and an unknown MRN: resolved, and the MRN is learned', () => {
    expect(decidePatient(ids(A, mrn('H1')), [])).toMatchObject({ kind: 'resolved', nhsNumber: A, learns: [mrn('H1')] });
  });

  test('NHS number and an MRN already mapped to it: nothing new to learn', () => {
    expect(decidePatient(ids(A, mrn('H1')), [known('RXX', 'H1', A)])).toMatchObject({ kind: 'resolved', learns: [] });
  });

  test('an MRN only, with a known mapping, resolves through it', () => {
    expect(decidePatient(ids(undefined, mrn('H2')), [known('RXX', 'H2', B)])).toEqual({
      kind: 'resolved',
      nhsNumber: B,
      learns: [],
      resolvedThrough: mrn('H2'),
    });
  });

  test('the same MRN value from another authority is another patient: parked, not resolved', () => {
    expect(decidePatient(ids(undefined, mrn('H2', 'RYY')), [known('RXX', 'H2', B)])).toMatchObject({
      kind: 'park',
      waitingOn: mrn('H2', 'RYY'),
    });
  });

  test('an MRN only, with no mapping: parked on that MRN', () => {
    expect(decidePatient(ids(undefined, mrn('H3')), [])).toMatchObject({ kind: 'park', waitingOn: mrn('H3') });
  });

  test('an MRN mapped to another NHS number than the one sent: conflict, never a pick', () => {
    expect(decidePatient(ids(A, mrn('H2')), [known('RXX', 'H2', B)])).toMatchObject({
      kind: 'conflict',
      on: mrn('H2'),
    });
  });

  test('an NHS number that already has another MRN from the same authority: conflict', () => {
    expect(decidePatient(ids(A, mrn('H9')), [known('RXX', 'H1', A)])).toMatchObject({ kind: 'conflict' });
  });

  test('two MRNs that map to different NHS numbers: conflict', () => {
    const decision = decidePatient(ids(undefined, mrn('H1'), mrn('Q1', 'RYY')), [
      known('RXX', 'H1', A),
      known('RYY', 'Q1', B),
    ]);
    expect(decision.kind).toBe('conflict');
  });
});
