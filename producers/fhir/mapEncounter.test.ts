import { describe, expect, test } from 'vitest';
import { fhirDedupKey } from '../../core/eventIdentity.js';
import { anEncounter, fhirJson, type Json } from '../../test/support/fhirResources.js';
import { standaloneContext } from './fhirMappingContext.js';
import { mapEncounter } from './mapEncounter.js';

const finished = fhirJson('fhir/encounter_finished.json');
const context = standaloneContext('Encounter', { receiptId: 'receipt-9', system: 'pas.example' });
const map = (body: Json) => mapEncounter(anEncounter(body), context);
const draftOf = (body: Json) => {
  const result = map(body);
  if (!result.ok) throw new Error(`rejected at ${result.error.location}`);
  return result.value?.drafts[0];
};
const failure = (body: Json) => {
  const result = map(body);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};
const version = (versionId: string, lastUpdated = '2026-03-05T08:00:00Z') => ({ meta: { versionId, lastUpdated } });

describe('mapEncounter', () => {
  test('a finished Encounter is a discharge with every field', () => {
    expect(map(finished)).toEqual({
      ok: true,
      value: {
        patient: { nhsNumber: '9994000535', nhsNumberVerificationStatus: null, localIdentifiers: [] },
        source: {
          channel: 'FHIR',
          system: 'pas.example',
          facility: null,
          messageType: 'Encounter',
          messageId: 'Encounter/enc-d4-9001',
          messageVersion: '1',
          receiptId: 'receipt-9',
        },
        drafts: [
          {
            type: 'PatientDischarged',
            occurredAt: new Date('2026-03-04T17:20:00Z'),
            visitId: 'enc-d4-9001',
            admittedAt: new Date('2026-03-03T07:45:00Z'),
            dischargedAt: new Date('2026-03-04T17:20:00Z'),
            dischargeMethod: '1',
            dischargeDestination: '54',
            organisation: 'RXX01',
            responsibleClinician: '9999401',
            encounterClass: 'IMP',
            place: 'Encounter/enc-d4-9001/_history/1',
            dedupKey: fhirDedupKey({ resourceType: 'Encounter', id: 'enc-d4-9001', versionId: '1' }),
          },
        ],
      },
    });
  });

  test('a later finished version is a discharge again (it supersedes by visitId)', () => {
    expect(draftOf({ ...finished, ...version('3') })?.type).toBe('PatientDischarged');
  });

  test('the attender is preferred; without one the first participant is taken', () => {
    const consultant = (value: string, code?: string) => ({
      ...(code === undefined ? {} : { type: [{ coding: [{ code }] }] }),
      individual: { identifier: { value } },
    });
    const withAttender = { ...finished, participant: [consultant('C1', 'ADM'), consultant('C2', 'ATND')] };
    expect(draftOf(withAttender)).toMatchObject({ responsibleClinician: 'C2' });
    expect(draftOf({ ...finished, participant: [consultant('C1', 'ADM'), consultant('C3')] })).toMatchObject({
      responsibleClinician: 'C1',
    });
  });

  test('absent optional elements are null', () => {
    const bare = {
      resourceType: 'Encounter',
      id: 'e-1',
      status: 'finished',
      class: {},
      subject: finished.subject,
      period: { end: '2026-03-04T17:20:00Z' },
    };
    expect(draftOf(bare)).toMatchObject({
      admittedAt: null,
      dischargeMethod: null,
      dischargeDestination: null,
      organisation: null,
      responsibleClinician: null,
      encounterClass: null,
    });
  });

  test.each([
    { status: 'in-progress', versionId: '1' },
    { status: 'entered-in-error', versionId: '1' },
    { status: 'planned', versionId: '2' },
    { status: 'arrived', versionId: '2' },
    { status: 'onleave', versionId: '2' },
    { status: 'cancelled', versionId: '2' },
    { status: 'unknown', versionId: '2' },
    { status: 'in-progress', versionId: 'opaque-b' },
  ])('$status in version $versionId is accepted with no event', ({ status, versionId }) => {
    expect(map({ ...finished, status, ...version(versionId) })).toEqual({ ok: true, value: undefined });
  });

  test.each([
    { status: 'in-progress', reason: null },
    { status: 'entered-in-error', reason: 'entered-in-error' },
  ])('a later version going back to $status cancels the discharge', ({ status, reason }) => {
    expect(draftOf({ ...finished, status, ...version('2', '2026-03-05T08:00:00Z') })).toEqual({
      type: 'DischargeCancelled',
      occurredAt: new Date('2026-03-05T08:00:00Z'),
      visitId: 'enc-d4-9001',
      cancelledDischargeAt: new Date('2026-03-04T17:20:00Z'),
      reason,
      place: 'Encounter/enc-d4-9001/_history/2',
      dedupKey: fhirDedupKey({ resourceType: 'Encounter', id: 'enc-d4-9001', versionId: '2' }),
    });
  });

  test.each([
    {
      name: 'finished without period.end',
      body: { ...finished, period: { start: '2026-03-03T07:45:00Z' } },
      kind: 'required-field-missing',
      location: 'Encounter.period.end',
    },
    {
      name: 'no subject',
      body: { ...finished, subject: undefined },
      kind: 'required-field-missing',
      location: 'Encounter.subject',
    },
    { name: 'no id', body: { ...finished, id: undefined }, kind: 'required-field-missing', location: 'Encounter.id' },
    {
      name: 'period.end without a zone',
      body: { ...finished, period: { end: '2026-03-04T17:20:00' } },
      kind: 'invalid-value',
      location: 'Encounter.period.end',
    },
    {
      name: 'a malformed period.start',
      body: { ...finished, period: { start: '03/03/2026', end: '2026-03-04T17:20:00Z' } },
      kind: 'invalid-value',
      location: 'Encounter.period.start',
    },
    {
      name: 'a cancellation without meta.lastUpdated',
      body: { ...finished, status: 'in-progress', meta: { versionId: '2' } },
      kind: 'required-field-missing',
      location: 'Encounter.meta.lastUpdated',
    },
    {
      name: 'an invalid NHS number',
      body: {
        ...finished,
        subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9991000217' } },
      },
      kind: 'invalid-nhs-number',
      location: 'Encounter.subject.identifier.value',
    },
  ])('$name: $kind at $location', ({ body, kind, location }) => {
    expect(failure(body)).toEqual({ kind, location });
  });
});
