import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { eventIdFor, fhirDedupKey, hl7DedupKey, jsonDedupKey, uuidV5 } from './eventIdentity.js';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  test('matches the published vector for www.example.com in the DNS namespace', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  propTest.prop([fc.string()])('is a version-5, RFC-variant UUID for any name', (name) => {
    expect(uuidV5(name, DNS_NAMESPACE)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('dedup keys', () => {
  const a03 = { sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId: '100187' };

  test('one A03 with two DG1 segments is three facts with three ids', () => {
    const keys = ['PV1', 'DG1#1', 'DG1#2'].map((place) => hl7DedupKey({ ...a03, place }));
    expect(keys).toEqual([
      'hl7v2|PAS|RXX01|100187|PV1',
      'hl7v2|PAS|RXX01|100187|DG1#1',
      'hl7v2|PAS|RXX01|100187|DG1#2',
    ]);
    expect(new Set(keys.map(eventIdFor)).size).toBe(3);
  });

  test('a byte-identical resend has the same ids', () => {
    expect(eventIdFor(hl7DedupKey({ ...a03, place: 'PV1' }))).toBe(eventIdFor(hl7DedupKey({ ...a03, place: 'PV1' })));
  });

  test('the same control id from another sending application is another fact', () => {
    const pas = hl7DedupKey({ sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId: '100234', place: 'PV1' });
    const epma = hl7DedupKey({
      sendingApplication: 'EPMA',
      sendingFacility: 'RXX01',
      controlId: '100234',
      place: 'PV1',
    });
    expect(eventIdFor(pas)).not.toBe(eventIdFor(epma));
  });

  test('a "|" inside a value cannot make two different sources collide', () => {
    const x = hl7DedupKey({ sendingApplication: 'A|B', sendingFacility: 'C', controlId: '1', place: 'PV1' });
    const y = hl7DedupKey({ sendingApplication: 'A', sendingFacility: 'B|C', controlId: '1', place: 'PV1' });
    expect(x).not.toBe(y);
  });

  test('FHIR: type/id/_history/version, version 1 by default, fullUrl when there is no id', () => {
    expect(fhirDedupKey({ resourceType: 'Condition', id: 'gp-cond-b2-0417', versionId: '2' })).toBe(
      'fhir|Condition/gp-cond-b2-0417/_history/2',
    );
    expect(fhirDedupKey({ resourceType: 'Condition', id: 'c1' })).toBe(
      fhirDedupKey({ resourceType: 'Condition', id: 'c1', versionId: '1' }),
    );
    expect(fhirDedupKey({ fullUrl: 'urn:uuid:4f1c' })).toBe('fhir|urn%3Auuid%3A4f1c');
  });

  test('JSON: the idempotency key; keys from different channels never collide', () => {
    expect(jsonDedupKey('ae507864-a475-56e4-b6a2-aabf4e573159')).toBe('json|ae507864-a475-56e4-b6a2-aabf4e573159');
    expect(eventIdFor(jsonDedupKey('x'))).not.toBe(eventIdFor(fhirDedupKey({ fullUrl: 'x' })));
  });

  test('a key is made for any string, a lone surrogate included, and it differs from U+FFFD', () => {
    expect(jsonDedupKey('a\ud800b')).toBe('json|a%uD800b');
    expect(jsonDedupKey('a\ud800b')).not.toBe(jsonDedupKey('a\ufffdb'));
    expect(jsonDedupKey('\u{1F600}|\udc00')).toBe(`json|${encodeURIComponent('\u{1F600}|')}%uDC00`);
  });

  propTest.prop([fc.string({ unit: 'binary' })])('any string gives a key, never an exception', (value) => {
    expect(() =>
      hl7DedupKey({ sendingApplication: value, sendingFacility: value, controlId: value, place: 'PV1' }),
    ).not.toThrow();
  });

  propTest.prop([fc.string(), fc.string(), fc.string(), fc.string()])(
    'distinct HL7 sources give distinct keys',
    (app, facility, control, place) => {
      const key = hl7DedupKey({ sendingApplication: app, sendingFacility: facility, controlId: control, place });
      const other = hl7DedupKey({
        sendingApplication: `${app}x`,
        sendingFacility: facility,
        controlId: control,
        place,
      });
      expect(key).not.toBe(other);
    },
  );
});
