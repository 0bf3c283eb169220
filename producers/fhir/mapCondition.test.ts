import { describe, expect, test } from 'vitest';
import { fhirDedupKey } from '../../core/eventIdentity.js';
import { aCondition, fhirJson, type Json } from '../../test/support/fhirResources.js';
import { standaloneContext } from './fhirMappingContext.js';
import { mapCondition } from './mapCondition.js';

const confirmed = fhirJson('fhir/condition_confirmed.json');
const enteredInError = fhirJson('fhir/condition_entered_in_error.json');
const context = standaloneContext('Condition', { receiptId: null, system: 'gp.example' });
const map = (body: Json) => mapCondition(aCondition(body), context);
const draftOf = (body: Json) => {
  const result = map(body);
  if (!result.ok) throw new Error(`rejected at ${result.error.location}: ${result.error.reason}`);
  return result.value?.drafts[0];
};
const failure = (body: Json) => {
  const result = map(body);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};

const SCT = 'http://snomed.info/sct';
const ICD10_UK = 'http://hl7.org/fhir/sid/icd-10-uk';
const LOCAL = 'https://fhir.gp.example/CodeSystem/local';
const VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CLIN = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const status = (system: string, code: string) => ({ coding: [{ system, code }] });

describe('mapCondition', () => {
  test('a first version is DiagnosisRecorded with every field, at recordedDate', () => {
    expect(draftOf(confirmed)).toEqual({
      type: 'DiagnosisRecorded',
      occurredAt: new Date('2026-03-05T09:05:00Z'),
      diagnosisId: 'gp-cond-b2-0417',
      code: '714628002',
      codeSystem: 'SNOMED_CT',
      display: 'Prediabetes',
      codings: [{ system: SCT, code: '714628002', display: 'Prediabetes' }],
      clinicalStatus: 'ACTIVE',
      verificationStatus: 'CONFIRMED',
      onset: null,
      recorder: '9999201',
      encounterId: null,
      place: 'Condition/gp-cond-b2-0417/_history/1',
      dedupKey: fhirDedupKey({ resourceType: 'Condition', id: 'gp-cond-b2-0417', versionId: '1' }),
    });
  });

  test('without recordedDate a first version is recorded at meta.lastUpdated', () => {
    const draft = draftOf({
      ...confirmed,
      recordedDate: undefined,
      meta: { versionId: '1', lastUpdated: '2026-03-05T10:00:00Z' },
    });
    expect(draft?.occurredAt).toEqual(new Date('2026-03-05T10:00:00Z'));
  });

  test('a date-only recordedDate is London midnight of that day', () => {
    expect(draftOf({ ...confirmed, recordedDate: '2026-03-05' })?.occurredAt).toEqual(new Date('2026-03-05T00:00:00Z'));
  });

  test('a later version is DiagnosisAmended at meta.lastUpdated, not recordedDate', () => {
    const draft = draftOf(fhirJson('fhir/condition_amended_v2.json'));
    expect(draft).toMatchObject({
      type: 'DiagnosisAmended',
      occurredAt: new Date('2026-03-06T09:15:00Z'),
      code: '44054006',
    });
  });

  test('refuted in a later version is an amendment that keeps its status', () => {
    const refuted = {
      ...confirmed,
      meta: { versionId: '2', lastUpdated: '2026-03-06T10:00:00Z' },
      verificationStatus: status(VER, 'refuted'),
    };
    expect(draftOf(refuted)).toMatchObject({ type: 'DiagnosisAmended', verificationStatus: 'REFUTED' });
  });

  test('entered-in-error is DiagnosisRetracted at meta.lastUpdated, in any version', () => {
    expect(draftOf(enteredInError)).toEqual({
      type: 'DiagnosisRetracted',
      occurredAt: new Date('2026-03-06T14:00:00Z'),
      diagnosisId: 'gp-cond-c3-0421',
      code: '399153001',
      codeSystem: 'SNOMED_CT',
      display: 'Vertigo',
      reason: 'entered-in-error',
      encounterId: null,
      place: 'Condition/gp-cond-c3-0421/_history/2',
      dedupKey: fhirDedupKey({ resourceType: 'Condition', id: 'gp-cond-c3-0421', versionId: '2' }),
    });
    expect(draftOf({ ...enteredInError, meta: { versionId: '1', lastUpdated: '2026-03-06T14:00:00Z' } })?.type).toBe(
      'DiagnosisRetracted',
    );
  });

  test('a retraction needs no code', () => {
    expect(draftOf({ ...enteredInError, code: undefined })).toMatchObject({
      code: null,
      codeSystem: null,
      display: null,
    });
  });

  test.each([
    { code: 'unconfirmed', status: 'UNCONFIRMED' },
    { code: 'provisional', status: 'PROVISIONAL' },
    { code: 'differential', status: 'DIFFERENTIAL' },
    { code: 'confirmed', status: 'CONFIRMED' },
    { code: 'refuted', status: 'REFUTED' },
  ])('verificationStatus $code → $status', ({ code, status: expected }) => {
    expect(draftOf({ ...confirmed, verificationStatus: status(VER, code) })).toMatchObject({
      verificationStatus: expected,
    });
  });

  test.each([
    { code: 'active', status: 'ACTIVE' },
    { code: 'recurrence', status: 'RECURRENCE' },
    { code: 'relapse', status: 'RELAPSE' },
    { code: 'inactive', status: 'INACTIVE' },
    { code: 'remission', status: 'REMISSION' },
    { code: 'resolved', status: 'RESOLVED' },
  ])('clinicalStatus $code → $status', ({ code, status: expected }) => {
    expect(draftOf({ ...confirmed, clinicalStatus: status(CLIN, code) })).toMatchObject({ clinicalStatus: expected });
  });

  test('statuses not sent are null', () => {
    expect(draftOf({ ...confirmed, clinicalStatus: undefined, verificationStatus: undefined })).toMatchObject({
      clinicalStatus: null,
      verificationStatus: null,
    });
  });

  test('the first SNOMED CT or ICD-10 coding is the code, and every coding is kept', () => {
    const coding = [
      { system: LOCAL, code: 'X1' },
      { system: ICD10_UK, code: 'E11.9', display: 'T2DM without complications' },
      { system: SCT, code: '44054006', display: 'Type 2 diabetes mellitus' },
    ];
    expect(draftOf({ ...confirmed, code: { coding } })).toMatchObject({
      code: 'E11.9',
      codeSystem: 'ICD_10',
      display: 'T2DM without complications',
      codings: [
        { system: LOCAL, code: 'X1', display: null },
        { system: ICD10_UK, code: 'E11.9', display: 'T2DM without complications' },
        { system: SCT, code: '44054006', display: 'Type 2 diabetes mellitus' },
      ],
    });
  });

  test.each([
    { name: 'onsetDateTime, partial', onset: { onsetDateTime: '2026-03' }, text: '2026-03' },
    {
      name: 'onsetDateTime, full',
      onset: { onsetDateTime: '2026-03-01T10:00:00+00:00' },
      text: '2026-03-01T10:00:00+00:00',
    },
    { name: 'onsetString', onset: { onsetString: 'since childhood' }, text: 'since childhood' },
    { name: 'onsetPeriod, open end', onset: { onsetPeriod: { start: '2020' } }, text: '2020/..' },
    { name: 'onsetPeriod', onset: { onsetPeriod: { start: '2020-01', end: '2020-06' } }, text: '2020-01/2020-06' },
    { name: 'onsetAge', onset: { onsetAge: { value: 52, unit: 'a' } }, text: '52 a' },
    {
      name: 'onsetRange',
      onset: { onsetRange: { low: { value: 40, unit: 'a' }, high: { value: 50, unit: 'a' } } },
      text: '40 a..50 a',
    },
  ])('onset is kept as sent: $name', ({ onset, text }) => {
    expect(draftOf({ ...confirmed, ...onset })).toMatchObject({ onset: text });
  });

  test.each([
    { name: 'relative', reference: 'Encounter/vw-enc-4471', id: 'vw-enc-4471' },
    { name: 'absolute', reference: 'https://fhir.rxx.example/fhir/Encounter/enc-1/_history/2', id: 'enc-1' },
  ])('encounterId is the id part of a $name encounter reference', ({ reference, id }) => {
    expect(draftOf({ ...confirmed, encounter: { reference } })).toMatchObject({ encounterId: id });
  });

  test('a patient known by a local identifier only is mapped for the caller to resolve or park', () => {
    const subject = {
      identifier: {
        system: 'https://fhir.nhs.uk/Id/local-patient-identifier',
        value: 'H3000003',
        assigner: { identifier: { value: 'RXX' } },
      },
    };
    const result = map({ ...confirmed, subject });
    expect(result.ok && result.value?.patient).toEqual({
      nhsNumber: undefined,
      nhsNumberVerificationStatus: null,
      localIdentifiers: [{ authority: 'RXX', value: 'H3000003', identifierType: null }],
    });
  });

  test.each([
    {
      name: 'no code',
      body: { ...confirmed, code: undefined },
      kind: 'required-field-missing',
      location: 'Condition.code',
    },
    {
      name: 'a text-only code',
      body: { ...confirmed, code: { text: 'prediabetes' } },
      kind: 'required-field-missing',
      location: 'Condition.code.coding',
    },
    {
      name: 'codings only in a local system',
      body: { ...confirmed, code: { coding: [{ system: LOCAL, code: 'X1' }] } },
      kind: 'unknown-code-system',
      location: 'Condition.code.coding',
    },
    {
      name: 'a retraction whose code is only local',
      body: { ...enteredInError, code: { coding: [{ system: LOCAL, code: 'X1' }] } },
      kind: 'unknown-code-system',
      location: 'Condition.code.coding',
    },
    {
      name: 'an unknown verification code',
      body: { ...confirmed, verificationStatus: status(VER, 'probable') },
      kind: 'invalid-value',
      location: 'Condition.verificationStatus.coding[0].code',
    },
    {
      name: 'a verification status in another system',
      body: { ...confirmed, verificationStatus: status(LOCAL, 'confirmed') },
      kind: 'invalid-value',
      location: 'Condition.verificationStatus.coding',
    },
    {
      name: 'an unknown clinical status code',
      body: { ...confirmed, clinicalStatus: status(CLIN, 'ongoing') },
      kind: 'invalid-value',
      location: 'Condition.clinicalStatus.coding[0].code',
    },
    {
      name: 'recordedDate with a time and no zone',
      body: { ...confirmed, recordedDate: '2026-03-05T09:05:00' },
      kind: 'invalid-value',
      location: 'Condition.recordedDate',
    },
    {
      name: 'onsetDateTime with a time and no zone',
      body: { ...confirmed, onsetDateTime: '2026-03-01T10:00:00' },
      kind: 'invalid-value',
      location: 'Condition.onsetDateTime',
    },
    {
      name: 'no recordedDate and no meta.lastUpdated',
      body: { ...confirmed, recordedDate: undefined, meta: { versionId: '1' } },
      kind: 'required-field-missing',
      location: 'Condition.recordedDate',
    },
    {
      name: 'an amendment without meta.lastUpdated',
      body: { ...confirmed, meta: { versionId: '2' } },
      kind: 'required-field-missing',
      location: 'Condition.meta.lastUpdated',
    },
    {
      name: 'an encounter reference to another type',
      body: { ...confirmed, encounter: { reference: 'EpisodeOfCare/eoc-1' } },
      kind: 'invalid-value',
      location: 'Condition.encounter.reference',
    },
    {
      name: 'the sample with an invalid NHS number',
      body: fhirJson('fhir/bad_invalid_nhs_number.json'),
      kind: 'invalid-nhs-number',
      location: 'Condition.subject.identifier.value',
    },
    { name: 'no id', body: { ...confirmed, id: undefined }, kind: 'required-field-missing', location: 'Condition.id' },
  ])('$name: $kind at $location', ({ body, kind, location }) => {
    expect(failure(body)).toEqual({ kind, location });
  });
});
