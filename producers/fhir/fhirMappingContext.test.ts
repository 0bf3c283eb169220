import { describe, expect, test } from 'vitest';
import { type ResourceMappingContext, referencedId, standaloneContext } from './fhirMappingContext.js';

const standalone = standaloneContext('Condition', { receiptId: null, system: 'gp.example' });
const inBundle: ResourceMappingContext = {
  ...standalone,
  path: 'Bundle.entry[1].resource',
  resolveFullUrl: (fullUrl) => (fullUrl === 'urn:uuid:6f1f0f7e-1c1a-4a3e-9a4b-1d2e3f4a5b6c' ? 'enc-7' : undefined),
};
const id = (reference: string | undefined, context = standalone) => {
  const result = referencedId(
    reference === undefined ? undefined : { reference },
    'Encounter',
    'Condition.encounter.reference',
    context,
  );
  return result.ok ? result.value : result.error.kind;
};

describe('referencedId', () => {
  test.each([
    { name: 'relative', reference: 'Encounter/vw-enc-4471', id: 'vw-enc-4471' },
    { name: 'absolute', reference: 'https://fhir.rxx.example/fhir/Encounter/enc-1', id: 'enc-1' },
    { name: 'versioned', reference: 'https://fhir.rxx.example/fhir/Encounter/enc-1/_history/3', id: 'enc-1' },
    { name: 'absent', reference: undefined, id: null },
    { name: 'another type', reference: 'EpisodeOfCare/eoc-1', id: 'invalid-value' },
    { name: 'contained', reference: '#enc', id: 'invalid-value' },
    {
      name: 'a urn:uuid outside any Bundle',
      reference: 'urn:uuid:6f1f0f7e-1c1a-4a3e-9a4b-1d2e3f4a5b6c',
      id: 'invalid-value',
    },
  ])('$name: $reference → $id', ({ reference, id: expected }) => {
    expect(id(reference)).toBe(expected);
  });

  test('a urn:uuid fullUrl of another entry resolves to that entry id', () => {
    expect(id('urn:uuid:6f1f0f7e-1c1a-4a3e-9a4b-1d2e3f4a5b6c', inBundle)).toBe('enc-7');
  });

  test('a reference without a literal (identifier only) is no encounter id', () => {
    expect(
      referencedId({ identifier: { value: 'V1' } }, 'Encounter', 'Condition.encounter.reference', standalone),
    ).toEqual({ ok: true, value: null });
  });
});
