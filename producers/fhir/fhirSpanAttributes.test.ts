import { describe, expect, test } from 'vitest';
import type { IngestOutcome } from '../ingest/ingestService.js';
import { fhirSpanAttributes, resourceKeyParts } from './fhirSpanAttributes.js';

const withExtra = (extra: unknown) =>
  ({
    kind: 'rejected',
    correlationId: 'c',
    receiptId: 'r',
    rejection: { kind: 'invalid-value', location: '', reason: '' },
    interpretation: { kind: 'rejected', rejection: { kind: 'invalid-value', location: '', reason: '' }, extra },
  }) as unknown as IngestOutcome;

describe('FHIR span attributes', () => {
  test('a resource key as type, id and version; another key as the id', () => {
    expect(resourceKeyParts('Encounter/enc-1/_history/2')).toEqual({ type: 'Encounter', id: 'enc-1', version: '2' });
    expect(resourceKeyParts('Condition/c-9')).toEqual({ type: 'Condition', id: 'c-9' });
    expect(resourceKeyParts('urn:uuid:1b4f')).toEqual({ id: 'urn:uuid:1b4f' });
  });

  test('a single resource: fhir.resource_id as sent', () => {
    expect(fhirSpanAttributes(withExtra({ shape: 'resource', resourceKey: 'Encounter/enc-1/_history/2' }))).toEqual({
      'fhir.resource_id': 'enc-1',
      'fhir.resource_type': 'Encounter',
      'fhir.version_id': '2',
    });
  });

  test("a Bundle: its entries' keys, at most 100", () => {
    const entries = Array.from({ length: 120 }, (_, i) => ({ resourceKey: `Condition/c-${i}`, unit: i }));
    const attributes = fhirSpanAttributes(withExtra({ shape: 'transaction', entries }));
    expect(attributes['fhir.entry_count']).toBe(120);
    expect((attributes['fhir.resource_keys'] as string[]).length).toBe(100);
  });

  test('nothing known: no attributes', () => {
    expect(fhirSpanAttributes(withExtra(undefined))).toEqual({});
    expect(fhirSpanAttributes({ kind: 'unavailable', correlationId: 'c', reason: 'x' })).toEqual({});
  });
});
