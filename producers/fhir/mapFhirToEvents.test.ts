import { describe, expect, test } from 'vitest';
import { fhirDedupKey } from '../../core/eventIdentity.js';
import { aBundle, aCondition, fhirJson, type Json } from '../../test/support/fhirResources.js';
import { type FhirBundleMapping, mapFhirBundle, mapFhirResource } from './mapFhirToEvents.js';

const context = { receiptId: 'receipt-2', system: 'gp.example' };
const condition = fhirJson('fhir/condition_confirmed.json');
const conditionWithoutCode = fhirJson('fhir/bad_condition_no_code.json');
const medicationRequest = fhirJson('fhir/medicationrequest_active.json');
const transaction = fhirJson('fhir/bundle_transaction.json');
const notification = fhirJson('fhir/bundle_subscription_notification.json');

const entriesOf = (bundle: Json): readonly Json[] => bundle.entry as readonly Json[];
const entry = (resource: Json | undefined, method = 'POST', fullUrl?: string): Json => ({
  ...(fullUrl === undefined ? {} : { fullUrl }),
  ...(resource === undefined ? {} : { resource }),
  request: { method, url: String(resource?.resourceType ?? 'Condition') },
});
const bundle = (type: string, entry: readonly Json[]): Json => ({ resourceType: 'Bundle', type, entry });
const statusEntry = (type: string): Json =>
  entry(
    {
      resourceType: 'Parameters',
      parameter: [
        { name: 'status', valueCode: 'active' },
        { name: 'type', valueCode: type },
      ],
    },
    'GET',
  );

const mapped = (body: Json, endpoint: 'Bundle' | 'notification' = 'Bundle') =>
  mapFhirBundle(aBundle(body, endpoint), context);
const mapping = (body: Json, endpoint: 'Bundle' | 'notification' = 'Bundle'): FhirBundleMapping => {
  const result = mapped(body, endpoint);
  if (!result.ok) throw new Error(`rejected at ${result.error.location}: ${result.error.reason}`);
  return result.value;
};
const failure = (body: Json, endpoint: 'Bundle' | 'notification' = 'Bundle') => {
  const result = mapped(body, endpoint);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};
const outcomes = (result: FhirBundleMapping) =>
  result.entries.map(({ index, result: r }) =>
    r.ok
      ? { index, types: r.value?.drafts.map((d) => d.type) ?? [] }
      : { index, kind: r.error.kind, location: r.error.location },
  );
const withEntry = (body: Json, index: number, replacement: Json): Json => ({
  ...body,
  entry: entriesOf(body).map((e, i) => (i === index ? replacement : e)),
});

describe('mapFhirResource', () => {
  test('a standalone resource carries the sender system and receipt in its source', () => {
    const result = mapFhirResource(aCondition(condition), context);
    expect(result.ok && result.value?.source).toMatchObject({
      system: 'gp.example',
      receiptId: 'receipt-2',
      channel: 'FHIR',
    });
  });
});

describe('mapFhirBundle: transaction', () => {
  test('maps every entry, in entry order, each under its own resource key', () => {
    const result = mapping(transaction);
    expect(result.type).toBe('transaction');
    expect(result.entries.map((e) => [e.index, e.resourceKey])).toEqual([
      [0, 'Encounter/vw-enc-4471/_history/1'],
      [1, 'Condition/vw-cond-4471-1/_history/1'],
      [2, 'Condition/vw-cond-4471-2/_history/1'],
      [3, 'MedicationRequest/vw-mr-4471-1/_history/1'],
    ]);
    expect(outcomes(result).map((o) => ('types' in o ? o.types : o))).toEqual([
      ['PatientDischarged'],
      ['DiagnosisRecorded'],
      ['DiagnosisRecorded'],
      ['MedicationOrdered'],
    ]);
  });

  test('one failing entry rejects the whole Bundle, located in the entry', () => {
    const [, , second] = entriesOf(transaction);
    const broken = withEntry(transaction, 2, {
      ...second,
      resource: { ...(second?.resource as Json), code: undefined },
    });
    expect(failure(broken)).toEqual({ kind: 'required-field-missing', location: 'Bundle.entry[2].resource.code' });
  });

  test('an entry failing its schema rejects the whole Bundle, located in the entry', () => {
    const [, , , fourth] = entriesOf(transaction);
    const broken = withEntry(transaction, 3, {
      ...fourth,
      resource: { ...(fourth?.resource as Json), subject: undefined },
    });
    expect(failure(broken)).toEqual({ kind: 'cardinality-violated', location: 'Bundle.entry[3].resource.subject' });
  });

  test('a resource type this system does not map rejects the whole Bundle', () => {
    const patient = entry({ resourceType: 'Patient', id: 'p1' }, 'PUT');
    expect(failure(withEntry(transaction, 1, patient))).toEqual({
      kind: 'unsupported-message-type',
      location: 'Bundle.entry[1].resource.resourceType',
    });
  });

  test('a DELETE entry is refused: there is no store to delete from', () => {
    expect(failure(bundle('transaction', [entry(undefined, 'DELETE')]))).toEqual({
      kind: 'unsupported-message-type',
      location: 'Bundle.entry[0].request.method',
    });
  });

  test('a reference to another entry by its urn:uuid fullUrl resolves to that entry id', () => {
    const encounterUrn = 'urn:uuid:4f7a0d0e-9d2c-4c47-8f0a-2b1e7c9d3a55';
    const [encounterEntry, conditionEntry] = entriesOf(transaction);
    const body = bundle('transaction', [
      { ...encounterEntry, fullUrl: encounterUrn },
      {
        ...conditionEntry,
        resource: { ...(conditionEntry?.resource as Json), encounter: { reference: encounterUrn } },
      },
    ]);
    const [, second] = mapping(body).entries;
    const draft = second?.result.ok ? second.result.value?.drafts[0] : undefined;
    expect(draft).toMatchObject({ type: 'DiagnosisRecorded', encounterId: 'vw-enc-4471' });
  });

  test('a resource without an id is identified by its entry fullUrl', () => {
    const fullUrl = 'urn:uuid:0b8a6c1e-2f3d-4e5a-9b7c-1d2e3f4a5b6c';
    const [only] = mapping(
      bundle('transaction', [entry({ ...medicationRequest, id: undefined }, 'POST', fullUrl)]),
    ).entries;
    expect(only?.resourceKey).toBe(fullUrl);
    const draft = only?.result.ok ? only.result.value?.drafts[0] : undefined;
    expect(draft).toMatchObject({ place: fullUrl, dedupKey: fhirDedupKey({ fullUrl }), orderId: 'GP-RX-0311' });
  });
});

describe('mapFhirBundle: batch', () => {
  test('one bad entry fails alone; the others are mapped', () => {
    const body = bundle('batch', [entry(condition), entry(conditionWithoutCode), entry(medicationRequest)]);
    expect(outcomes(mapping(body))).toEqual([
      { index: 0, types: ['DiagnosisRecorded'] },
      { index: 1, kind: 'required-field-missing', location: 'Bundle.entry[1].resource.code' },
      { index: 2, types: ['MedicationOrdered'] },
    ]);
  });

  test('an entry accepted with no event is an ok entry without facts', () => {
    const body = bundle('batch', [entry({ ...medicationRequest, status: 'completed' })]);
    expect(mapping(body).entries[0]?.result).toEqual({ ok: true, value: undefined });
  });

  test.each([
    {
      name: 'a GET entry',
      body: bundle('batch', [entry(undefined, 'GET')]),
      kind: 'unsupported-message-type',
      location: 'Bundle.entry[0].request.method',
    },
    {
      name: 'a PATCH entry',
      body: bundle('batch', [entry(condition, 'PATCH')]),
      kind: 'unsupported-message-type',
      location: 'Bundle.entry[0].request.method',
    },
    {
      name: 'a POST without its resource',
      body: bundle('batch', [entry(undefined, 'POST')]),
      kind: 'cardinality-violated',
      location: 'Bundle.entry[0].resource',
    },
  ])('$name: $kind at $location', ({ body, kind, location }) => {
    expect(outcomes(mapping(body))).toEqual([{ index: 0, kind, location }]);
  });
});

describe('mapFhirBundle: history (a subscription notification)', () => {
  test('entry 0 is the SubscriptionStatus and yields nothing; the rest map in entry order', () => {
    const result = mapping(notification, 'notification');
    expect(outcomes(result)).toEqual([
      { index: 1, types: ['DiagnosisRecorded'] },
      { index: 2, types: ['MedicationOrdered'] },
      { index: 3, types: ['MedicationOrdered'] },
    ]);
  });

  test.each(['heartbeat', 'handshake', 'query-status'])('a %s notification yields nothing', (type) => {
    expect(mapping(bundle('history', [statusEntry(type)]), 'notification')).toEqual({ type: 'history', entries: [] });
  });

  test('a heartbeat that carries entries still yields nothing', () => {
    expect(mapping(bundle('history', [statusEntry('heartbeat'), entry(condition)]), 'notification').entries).toEqual(
      [],
    );
  });

  test('an R4B SubscriptionStatus in entry 0 is read the same way', () => {
    const r4b = entry({ resourceType: 'SubscriptionStatus', status: 'active', type: 'event-notification' }, 'GET');
    expect(outcomes(mapping(bundle('history', [r4b, entry(condition)]), 'notification'))).toEqual([
      { index: 1, types: ['DiagnosisRecorded'] },
    ]);
  });

  test('each entry stands alone: one bad entry does not stop the others', () => {
    const body = bundle('history', [statusEntry('event-notification'), entry(conditionWithoutCode), entry(condition)]);
    expect(outcomes(mapping(body, 'notification'))).toEqual([
      { index: 1, kind: 'required-field-missing', location: 'Bundle.entry[1].resource.code' },
      { index: 2, types: ['DiagnosisRecorded'] },
    ]);
  });

  test('a DELETE carries no resource, so no patient or fact to retract: refused in its place, never dropped', () => {
    const deleted = {
      fullUrl: 'https://gp.example/fhir/Condition/c-9',
      request: { method: 'DELETE', url: 'Condition/c-9' },
    };
    const body = bundle('history', [statusEntry('event-notification'), deleted, entry(condition)]);
    expect(outcomes(mapping(body, 'notification'))).toEqual([
      { index: 1, kind: 'unsupported-message-type', location: 'Bundle.entry[1].request' },
      { index: 2, types: ['DiagnosisRecorded'] },
    ]);
    const [first] = mapping(body, 'notification').entries;
    expect(first?.result.ok === false && first.result.error.reason).toContain('deletes Condition/c-9');
  });

  test('an id-only entry cannot be mapped', () => {
    const body = bundle('history', [
      statusEntry('event-notification'),
      entry(undefined, 'PUT', 'https://gp.example/fhir/Condition/c-9'),
    ]);
    expect(outcomes(mapping(body, 'notification'))).toEqual([
      { index: 1, kind: 'unsupported-message-type', location: 'Bundle.entry[1].resource' },
    ]);
  });

  test.each([
    {
      name: 'no entries',
      body: bundle('history', []),
      kind: 'cardinality-violated',
      location: 'Bundle.entry[0].resource',
    },
    {
      name: 'a Condition in entry 0',
      body: bundle('history', [entry(condition)]),
      kind: 'invalid-structure',
      location: 'Bundle.entry[0].resource.resourceType',
    },
    {
      name: 'a status without its type',
      body: bundle('history', [
        entry({ resourceType: 'Parameters', parameter: [{ name: 'status', valueCode: 'active' }] }, 'GET'),
      ]),
      kind: 'cardinality-violated',
      location: 'Bundle.entry[0].resource.parameter',
    },
    {
      name: 'an unknown notification type',
      body: bundle('history', [statusEntry('ping')]),
      kind: 'invalid-value',
      location: 'Bundle.entry[0].resource.parameter[1].valueCode',
    },
  ])('$name: $kind at $location', ({ body, kind, location }) => {
    expect(failure(body, 'notification')).toEqual({ kind, location });
  });
});
