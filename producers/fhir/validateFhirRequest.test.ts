import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fhirJson, type Json } from '../../test/support/fhirResources.js';
import {
  type FhirEndpoint,
  fhirPathOf,
  rejectionForUnparseableJson,
  validateFhirRequest,
  validateFhirResource,
  validateNotificationStatus,
} from './validateFhirRequest.js';

const medicationRequest = fhirJson('fhir/medicationrequest_active.json');
const encounter = fhirJson('fhir/encounter_finished.json');
const transaction = fhirJson('fhir/bundle_transaction.json');
const notification = fhirJson('fhir/bundle_subscription_notification.json');

const failure = (endpoint: FhirEndpoint, body: unknown) => {
  const result = validateFhirRequest(endpoint, body);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};

const dosageWith = (doseQuantity: Json): Json => ({
  ...medicationRequest,
  dosageInstruction: [{ doseAndRate: [{ doseQuantity }] }],
});

describe('validateFhirRequest', () => {
  test.each([
    { name: 'a MedicationRequest', endpoint: 'MedicationRequest', body: medicationRequest },
    { name: 'an Encounter', endpoint: 'Encounter', body: encounter },
    { name: 'a transaction Bundle', endpoint: 'Bundle', body: transaction },
    { name: 'a batch Bundle', endpoint: 'Bundle', body: { ...transaction, type: 'batch' } },
    { name: 'a notification', endpoint: 'notification', body: notification },
    {
      name: 'elements we do not read',
      endpoint: 'MedicationRequest',
      body: { ...medicationRequest, note: [{ text: 'x' }] },
    },
  ] as const)('accepts $name and returns it unchanged', ({ endpoint, body }) => {
    expect(validateFhirRequest(endpoint, body)).toEqual({ ok: true, value: body });
  });

  test.each([
    { name: 'an array', endpoint: 'Condition', body: [], kind: 'invalid-structure', location: 'Condition' },
    { name: 'null', endpoint: 'notification', body: null, kind: 'invalid-structure', location: 'Bundle' },
    {
      name: 'no resourceType',
      endpoint: 'Condition',
      body: { id: 'x' },
      kind: 'cardinality-violated',
      location: 'resourceType',
    },
    {
      name: 'a numeric resourceType',
      endpoint: 'Condition',
      body: { resourceType: 7 },
      kind: 'invalid-structure',
      location: 'resourceType',
    },
    {
      name: 'an Observation at [base]/Condition',
      endpoint: 'Condition',
      body: fhirJson('fhir/bad_wrong_resource_type.json'),
      kind: 'unsupported-message-type',
      location: 'resourceType',
    },
    {
      name: 'a Condition at [base]',
      endpoint: 'Bundle',
      body: { resourceType: 'Condition' },
      kind: 'unsupported-message-type',
      location: 'resourceType',
    },
    {
      name: 'a history Bundle at [base]',
      endpoint: 'Bundle',
      body: notification,
      kind: 'unsupported-message-type',
      location: 'Bundle.type',
    },
    {
      name: 'a transaction at [notify]',
      endpoint: 'notification',
      body: transaction,
      kind: 'unsupported-message-type',
      location: 'Bundle.type',
    },
    {
      name: 'a collection Bundle',
      endpoint: 'Bundle',
      body: { ...transaction, type: 'collection' },
      kind: 'unsupported-message-type',
      location: 'Bundle.type',
    },
    {
      name: 'a MedicationRequest without subject (1..1)',
      endpoint: 'MedicationRequest',
      body: fhirJson('fhir/bad_missing_subject.json'),
      kind: 'cardinality-violated',
      location: 'MedicationRequest.subject',
    },
    {
      name: 'a MedicationRequest without intent',
      endpoint: 'MedicationRequest',
      body: { ...medicationRequest, intent: undefined },
      kind: 'cardinality-violated',
      location: 'MedicationRequest.intent',
    },
    {
      name: 'a Condition without subject',
      endpoint: 'Condition',
      body: { resourceType: 'Condition', id: 'c' },
      kind: 'cardinality-violated',
      location: 'Condition.subject',
    },
    {
      name: 'an Encounter without class',
      endpoint: 'Encounter',
      body: { ...encounter, class: undefined },
      kind: 'cardinality-violated',
      location: 'Encounter.class',
    },
    {
      name: 'an Encounter status outside R4',
      endpoint: 'Encounter',
      body: { ...encounter, status: 'discharged' },
      kind: 'invalid-structure',
      location: 'Encounter.status',
    },
    {
      name: 'a numeric status',
      endpoint: 'MedicationRequest',
      body: { ...medicationRequest, status: 1 },
      kind: 'invalid-structure',
      location: 'MedicationRequest.status',
    },
    {
      name: 'a dose sent as a string',
      endpoint: 'MedicationRequest',
      body: dosageWith({ value: '2.50', unit: 'mg' }),
      kind: 'invalid-structure',
      location: 'MedicationRequest.dosageInstruction[0].doseAndRate[0].doseQuantity.value',
    },
    {
      name: 'an id with a slash',
      endpoint: 'MedicationRequest',
      body: { ...medicationRequest, id: 'a/b' },
      kind: 'invalid-structure',
      location: 'MedicationRequest.id',
    },
    {
      name: 'a coding that is not an object',
      endpoint: 'Encounter',
      body: { ...encounter, hospitalization: { dischargeDisposition: { coding: ['54'] } } },
      kind: 'invalid-structure',
      location: 'Encounter.hospitalization.dischargeDisposition.coding[0]',
    },
    {
      name: 'a Bundle entry without request',
      endpoint: 'Bundle',
      body: { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Condition' } }] },
      kind: 'cardinality-violated',
      location: 'Bundle.entry[0].request',
    },
    {
      name: 'a Bundle entry with an unknown method',
      endpoint: 'Bundle',
      body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'MERGE', url: 'Condition' } }] },
      kind: 'invalid-structure',
      location: 'Bundle.entry[0].request.method',
    },
  ] as const)('$name: $kind at $location', ({ endpoint, body, kind, location }) => {
    expect(failure(endpoint, body)).toEqual({ kind, location });
  });

  test('the wrong-type reason names both types, as the sample does', () => {
    const result = validateFhirRequest('Condition', fhirJson('fhir/bad_wrong_resource_type.json'));
    expect(result.ok ? undefined : result.error.reason).toBe(
      'resourceType Observation does not match the endpoint (Condition)',
    );
  });

  test('a resourceType that is not a FHIR name is not echoed', () => {
    const result = validateFhirRequest('Condition', { resourceType: 'Dr Smith said 9991000216' });
    expect(result.ok ? undefined : result.error.reason).not.toContain('9991000216');
  });

  test('no reason echoes a value from the body', () => {
    const result = validateFhirRequest('MedicationRequest', { ...medicationRequest, status: 'patient 9991000216' });
    expect(result.ok ? undefined : result.error.reason).not.toContain('9991000216');
  });

  propTest.prop([
    fc.constantFrom<FhirEndpoint>('Encounter', 'Condition', 'MedicationRequest', 'Bundle', 'notification'),
    fc.jsonValue(),
  ])('returns a Result for any JSON body and never throws', (endpoint, body) => {
    expect(typeof validateFhirRequest(endpoint, body).ok).toBe('boolean');
  });
});

describe('validateFhirResource (a Bundle entry resource)', () => {
  test('a type this system does not map is refused at the entry', () => {
    const result = validateFhirResource({ resourceType: 'Patient' }, 'Bundle.entry[3].resource');
    expect(result.ok ? undefined : [result.error.kind, result.error.location]).toEqual([
      'unsupported-message-type',
      'Bundle.entry[3].resource.resourceType',
    ]);
  });

  test('schema errors are located under the entry', () => {
    const result = validateFhirResource(
      { resourceType: 'MedicationRequest', status: 'active', intent: 'order' },
      'Bundle.entry[2].resource',
    );
    expect(result.ok ? undefined : [result.error.kind, result.error.location]).toEqual([
      'cardinality-violated',
      'Bundle.entry[2].resource.subject',
    ]);
  });
});

describe('validateNotificationStatus', () => {
  test.each([
    {
      name: 'R4 backport Parameters',
      resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }] },
    },
    { name: 'R4B SubscriptionStatus', resource: { resourceType: 'SubscriptionStatus', type: 'heartbeat' } },
  ])('accepts $name', ({ resource }) => {
    expect(validateNotificationStatus(resource, 'Bundle.entry[0].resource').ok).toBe(true);
  });

  test('anything else is not a notification status', () => {
    const result = validateNotificationStatus({ resourceType: 'Condition' }, 'Bundle.entry[0].resource');
    expect(result.ok ? undefined : [result.error.kind, result.error.location]).toEqual([
      'invalid-structure',
      'Bundle.entry[0].resource.resourceType',
    ]);
  });

  test('an R4B SubscriptionStatus states its type (1..1)', () => {
    const result = validateNotificationStatus({ resourceType: 'SubscriptionStatus' }, 'Bundle.entry[0].resource');
    expect(result.ok ? undefined : result.error.location).toBe('Bundle.entry[0].resource.type');
  });
});

describe('fhirPathOf', () => {
  test.each([
    { root: 'Condition', pointer: '', child: undefined, path: 'Condition' },
    { root: 'Condition', pointer: '', child: 'subject', path: 'Condition.subject' },
    { root: 'Bundle', pointer: '/entry/2/resource', child: 'subject', path: 'Bundle.entry[2].resource.subject' },
    { root: 'X', pointer: '/a~1b/c~0d', child: undefined, path: 'X.a/b.c~d' },
  ])('$root + $pointer + $child → $path', ({ root, pointer, child, path }) => {
    expect(fhirPathOf(root, pointer, child)).toBe(path);
  });
});

test('unparseable JSON has no location and does not echo the parser message', () => {
  expect(rejectionForUnparseableJson()).toEqual({
    kind: 'unparseable',
    location: '',
    reason: 'the body is not valid JSON',
  });
});
