import { describe, expect, test } from 'vitest';
import { fhirDedupKey } from '../../core/eventIdentity.js';
import { standaloneContext } from './fhirMappingContext.js';
import { fhirResourceIdentity, fhirResourceKey, isLaterVersion } from './fhirResourceIdentity.js';

const context = { receiptId: 'receipt-1', system: 'gp.example' };

describe('fhirResourceIdentity', () => {
  test('type, id and versionId give the key, the dedup key and the source', () => {
    const identity = fhirResourceIdentity(
      { resourceType: 'Condition', id: 'c-1', meta: { versionId: '2' } },
      standaloneContext('Condition', context),
    );
    expect(identity).toEqual({
      ok: true,
      value: {
        resourceKey: 'Condition/c-1/_history/2',
        dedupKey: fhirDedupKey({ resourceType: 'Condition', id: 'c-1', versionId: '2' }),
        source: {
          channel: 'FHIR',
          system: 'gp.example',
          facility: null,
          messageType: 'Condition',
          messageId: 'Condition/c-1',
          messageVersion: '2',
          receiptId: 'receipt-1',
        },
      },
    });
  });

  test('versionId defaults to 1', () => {
    const identity = fhirResourceIdentity(
      { resourceType: 'Encounter', id: 'e-1' },
      standaloneContext('Encounter', context),
    );
    expect(identity.ok && [identity.value.resourceKey, identity.value.source.messageVersion]).toEqual([
      'Encounter/e-1/_history/1',
      '1',
    ]);
    expect(identity.ok && identity.value.dedupKey).toBe(fhirDedupKey({ resourceType: 'Encounter', id: 'e-1' }));
  });

  test('without an id, the entry fullUrl identifies the resource', () => {
    const fullUrl = 'urn:uuid:0c2f1c3e-3d1b-4b5e-9a57-1b2c3d4e5f60';
    const identity = fhirResourceIdentity(
      { resourceType: 'MedicationRequest' },
      { ...standaloneContext('MedicationRequest', context), fullUrl, path: 'Bundle.entry[3].resource' },
    );
    expect(identity.ok && identity.value.resourceKey).toBe(fullUrl);
    expect(identity.ok && identity.value.dedupKey).toBe(fhirDedupKey({ fullUrl }));
    expect(identity.ok && identity.value.source.messageId).toBe(fullUrl);
  });

  test('without an id or a fullUrl there is no identity to deduplicate on', () => {
    const identity = fhirResourceIdentity({ resourceType: 'Condition' }, standaloneContext('Condition', context));
    expect(identity.ok ? undefined : [identity.error.kind, identity.error.location]).toEqual([
      'required-field-missing',
      'Condition.id',
    ]);
  });

  test('fhirResourceKey falls back when there is no id', () => {
    expect(fhirResourceKey({ resourceType: 'Condition' }, 'Condition/x')).toBe('Condition/x');
  });
});

describe('isLaterVersion', () => {
  test.each([
    { versionId: undefined, later: false },
    { versionId: '1', later: false },
    { versionId: '2', later: true },
    { versionId: '17', later: true },
    { versionId: '0', later: false },
    { versionId: 'W-abc', later: false },
  ])('versionId $versionId → $later', ({ versionId, later }) => {
    expect(isLaterVersion(versionId === undefined ? {} : { versionId })).toBe(later);
  });
});
