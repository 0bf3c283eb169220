import { describe, expect, test } from 'vitest';
import { fhirDedupKey } from '../../core/eventIdentity.js';
import { aMedicationRequest, fhirJson, type Json } from '../../test/support/fhirResources.js';
import { standaloneContext } from './fhirMappingContext.js';
import { mapMedicationRequest } from './mapMedicationRequest.js';

const active = fhirJson('fhir/medicationrequest_active.json');
const cancelled = fhirJson('fhir/medicationrequest_cancelled.json');
const context = standaloneContext('MedicationRequest', { receiptId: null, system: 'gp.example' });
const map = (body: Json) => mapMedicationRequest(aMedicationRequest(body), context);
const draftOf = (body: Json) => {
  const result = map(body);
  if (!result.ok) throw new Error(`rejected at ${result.error.location}: ${result.error.reason}`);
  return result.value?.drafts[0];
};
const failure = (body: Json) => {
  const result = map(body);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};
const withDosage = (dosage: Json): Json => ({ ...active, dosageInstruction: [dosage] });
const LATER = { versionId: '2', lastUpdated: '2026-03-06T15:10:00Z' };

describe('mapMedicationRequest', () => {
  test('active with an order intent is MedicationOrdered with every field', () => {
    expect(draftOf(active)).toEqual({
      type: 'MedicationOrdered',
      occurredAt: new Date('2026-03-05T10:25:00Z'),
      orderId: 'GP-RX-0311',
      placerNamespace: 'https://fhir.gp-y99901.example/Id/prescription-order',
      fillerOrderId: null,
      medication: {
        code: '325278007',
        codeSystem: 'DMD',
        display: 'Metformin 500mg tablets',
        dose: '500',
        doseUnit: 'mg',
        route: '26643006',
        frequency: 'BID',
        dosageText: 'One tablet twice a day with meals',
      },
      startAt: null,
      stopAt: null,
      prescriber: '9999201',
      reason: null,
      encounterId: null,
      place: 'MedicationRequest/gp-mr-a1-0311/_history/1',
      dedupKey: fhirDedupKey({ resourceType: 'MedicationRequest', id: 'gp-mr-a1-0311', versionId: '1' }),
    });
  });

  test.each([
    { status: 'active', type: 'MedicationOrdered', reason: null },
    {
      status: 'cancelled',
      type: 'MedicationOrderCancelled',
      reason: 'Patient declined - wishes to try lifestyle changes first',
    },
    {
      status: 'stopped',
      type: 'MedicationOrderDiscontinued',
      reason: 'Patient declined - wishes to try lifestyle changes first',
    },
    { status: 'entered-in-error', type: 'MedicationOrderCancelled', reason: 'entered-in-error' },
  ])('status $status → $type (reason $reason)', ({ status, type, reason }) => {
    expect(draftOf({ ...cancelled, status })).toMatchObject({ type, reason });
  });

  test.each(['completed', 'on-hold', 'draft', 'unknown'])('status %s is accepted with no event', (status) => {
    expect(map({ ...active, status })).toEqual({ ok: true, value: undefined });
  });

  test.each(['proposal', 'plan', 'option'])('intent %s is not an order: no event', (intent) => {
    expect(map({ ...active, intent })).toEqual({ ok: true, value: undefined });
  });

  test.each(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order'])(
    'intent %s is an order',
    (intent) => {
      expect(draftOf({ ...active, intent })?.type).toBe('MedicationOrdered');
    },
  );

  test('a cancellation happens at meta.lastUpdated, not authoredOn', () => {
    expect(draftOf(cancelled)?.occurredAt).toEqual(new Date('2026-03-06T15:10:00Z'));
  });

  test('without authoredOn an order happens at meta.lastUpdated', () => {
    expect(draftOf({ ...active, authoredOn: undefined })?.occurredAt).toEqual(new Date('2026-03-05T10:25:00Z'));
  });

  test('the reason falls back to the first statusReason coding display', () => {
    const statusReason = { coding: [{ code: 'drg', display: 'Drug interaction' }] };
    expect(draftOf({ ...cancelled, statusReason })).toMatchObject({ reason: 'Drug interaction' });
  });

  test('an order reason is its indication (reasonCode)', () => {
    expect(draftOf({ ...active, reasonCode: [{ coding: [{ display: 'Type 2 diabetes' }] }] })).toMatchObject({
      reason: 'Type 2 diabetes',
    });
  });

  test('without an identifier the order id is the resource id, with no namespace', () => {
    expect(draftOf({ ...active, identifier: undefined })).toMatchObject({
      orderId: 'gp-mr-a1-0311',
      placerNamespace: null,
    });
  });

  test('a SNOMED CT coding of the dm+d id is accepted and recorded as received', () => {
    const medicationCodeableConcept = { coding: [{ system: 'http://snomed.info/sct', code: '325278007' }] };
    expect(draftOf({ ...active, medicationCodeableConcept })).toMatchObject({
      medication: { code: '325278007', codeSystem: 'SNOMED_CT', display: null },
    });
  });

  test('a cancellation that does not restate the medicine has medication null', () => {
    expect(
      draftOf({
        ...cancelled,
        medicationCodeableConcept: undefined,
        medicationReference: { reference: 'Medication/m1' },
      }),
    ).toMatchObject({
      medication: null,
    });
  });

  test.each([
    { name: 'a coded timing', timing: { code: { coding: [{ code: 'TID' }], text: 'TDS' } }, frequency: 'TID' },
    { name: 'a text timing', timing: { code: { text: 'QDS' } }, frequency: 'QDS' },
    { name: 'a repeat', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, frequency: '1/1d' },
    {
      name: 'a fractional period',
      timing: { repeat: { frequency: 1, period: 0.5, periodUnit: 'd' } },
      frequency: '1/0.5d',
    },
    { name: 'a repeat without a unit', timing: { repeat: { frequency: 2, period: 1 } }, frequency: null },
    { name: 'no timing', timing: undefined, frequency: null },
  ])('frequency from $name: $frequency', ({ timing, frequency }) => {
    expect(draftOf(withDosage({ timing }))).toMatchObject({ medication: { frequency } });
  });

  test.each([
    { name: 'an integer', doseQuantity: { value: 500, unit: 'mg' }, dose: '500', doseUnit: 'mg' },
    { name: 'a decimal', doseQuantity: { value: 2.5, unit: 'mL' }, dose: '2.5', doseUnit: 'mL' },
    { name: 'a UCUM code without a unit', doseQuantity: { value: 1, code: 'mg' }, dose: '1', doseUnit: 'mg' },
    { name: 'no quantity', doseQuantity: undefined, dose: null, doseUnit: null },
  ])('dose from $name', ({ doseQuantity, dose, doseUnit }) => {
    expect(draftOf(withDosage({ doseAndRate: [{ doseQuantity }] }))).toMatchObject({ medication: { dose, doseUnit } });
  });

  test('the course start and stop are read when sent', () => {
    const draft = draftOf({
      ...active,
      dispenseRequest: { validityPeriod: { start: '2026-03-05T10:30:00Z' } },
      dosageInstruction: [{ timing: { repeat: { boundsPeriod: { end: '2026-03-12' } } } }],
      encounter: { reference: 'Encounter/enc-1' },
    });
    expect(draft).toMatchObject({
      startAt: new Date('2026-03-05T10:30:00Z'),
      stopAt: new Date('2026-03-12T00:00:00Z'),
      encounterId: 'enc-1',
    });
  });

  test('a later active version restates the order under its own dedup key', () => {
    const draft = draftOf({ ...active, meta: LATER });
    expect(draft).toMatchObject({ type: 'MedicationOrdered', place: 'MedicationRequest/gp-mr-a1-0311/_history/2' });
  });

  test.each([
    {
      name: 'an order without medicationCodeableConcept',
      body: { ...active, medicationCodeableConcept: undefined, medicationReference: { reference: 'Medication/m1' } },
      kind: 'required-field-missing',
      location: 'MedicationRequest.medicationCodeableConcept',
    },
    {
      name: 'a medicine coded only locally',
      body: {
        ...active,
        medicationCodeableConcept: { coding: [{ system: 'https://gp.example/drugs', code: 'MET500' }] },
      },
      kind: 'unknown-code-system',
      location: 'MedicationRequest.medicationCodeableConcept.coding',
    },
    {
      name: 'an invalid NHS number',
      body: {
        ...active,
        subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9996000010' } },
      },
      kind: 'invalid-nhs-number',
      location: 'MedicationRequest.subject.identifier.value',
    },
    {
      name: 'authoredOn without a zone',
      body: { ...active, authoredOn: '2026-03-05T10:25:00' },
      kind: 'invalid-value',
      location: 'MedicationRequest.authoredOn',
    },
    {
      name: 'a cancellation without meta.lastUpdated',
      body: { ...cancelled, meta: { versionId: '2' } },
      kind: 'required-field-missing',
      location: 'MedicationRequest.meta.lastUpdated',
    },
  ])('$name: $kind at $location', ({ body, kind, location }) => {
    expect(failure(body)).toEqual({ kind, location });
  });
});
