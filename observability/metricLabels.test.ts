import { describe, expect, test } from 'vitest';
import type { IngestOutcome } from '../producers/ingest/ingestService.js';
import type { RejectionKind } from '../producers/rejection.js';
import {
  channelLabel,
  ingestOutcomeLabel,
  ingestOutcomeLabels,
  methodLabel,
  registryOperationLabel,
  registryOutcomeLabel,
  routeLabel,
  statusLabel,
} from './metricLabels.js';

const rejected = (kind: RejectionKind) =>
  ({
    kind: 'rejected',
    correlationId: 'c',
    receiptId: 'r',
    rejection: { kind, location: 'PID-3', reason: 'x' },
    interpretation: { kind: 'rejected', rejection: { kind, location: 'PID-3', reason: 'x' } },
  }) as IngestOutcome;

describe('ingest labels', () => {
  test('channels map to the adapter names', () => {
    expect([channelLabel('HL7V2'), channelLabel('FHIR'), channelLabel('JSON'), channelLabel('UNKNOWN')]).toEqual([
      'mllp',
      'fhir',
      'json',
      'unknown',
    ]);
  });

  test('an outcome is its kind; an HL7 rejection answered AR is refused, AE stays rejected', () => {
    expect(ingestOutcomeLabel({ kind: 'unavailable', correlationId: 'c', reason: 'r' }, 'HL7V2')).toBe('unavailable');
    expect(ingestOutcomeLabel(rejected('unparseable'), 'HL7V2')).toBe('refused');
    expect(ingestOutcomeLabel(rejected('unsupported-version'), 'HL7V2')).toBe('refused');
    expect(ingestOutcomeLabel(rejected('invalid-nhs-number'), 'HL7V2')).toBe('rejected');
    // Other channels have no AR: a 4xx is a rejection.
    expect(ingestOutcomeLabel(rejected('unparseable'), 'FHIR')).toBe('rejected');
    for (const kind of ['accepted', 'duplicate', 'parked', 'ignored'] as const) {
      const label = ingestOutcomeLabel({ kind } as IngestOutcome, 'JSON');
      expect(label).toBe(kind);
      expect(ingestOutcomeLabels).toContain(label);
    }
  });
});

describe('HTTP labels', () => {
  test('the route pattern, never the URL; no route is unmatched', () => {
    expect(routeLabel('/patients/:nhs/gp-summary')).toBe('/patients/:nhs/gp-summary');
    expect(routeLabel(undefined)).toBe('unmatched');
    expect(routeLabel('')).toBe('unmatched');
  });

  test('methods and status codes from bounded sets', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
    expect(statusLabel(404)).toBe('404');
    expect(statusLabel(99)).toBe('other');
  });
});

describe('schema registry labels', () => {
  test('subjects, versions and ids become parameter names', () => {
    expect(registryOperationLabel('post', '/subjects/cel.clinical-events-value/versions')).toBe(
      'POST /subjects/:subject/versions',
    );
    expect(registryOperationLabel('GET', 'subjects/cel.x-value/versions/latest')).toBe(
      'GET /subjects/:subject/versions/:version',
    );
    expect(registryOperationLabel('GET', '/schemas/ids/17')).toBe('GET /schemas/ids/:id');
    expect(registryOperationLabel('PUT', '/config/cel.x-value')).toBe('PUT /config/:subject');
    expect(registryOperationLabel('GET', '/config')).toBe('GET /config');
    expect(registryOperationLabel('GET', '/')).toBe('GET /');
    expect(registryOperationLabel('POST', '/compatibility/subjects/s/versions/latest')).toBe(
      'POST /compatibility/subjects/:subject/versions/:version',
    );
    expect(registryOperationLabel('GET', '/something/9991000216')).toBe('GET other');
  });

  test('outcomes by status', () => {
    expect([200, 404, 409, 503, 0].map(registryOutcomeLabel)).toEqual([
      'ok',
      'not-found',
      'client-error',
      'server-error',
      'unreachable',
    ]);
    expect(registryOutcomeLabel('unreachable')).toBe('unreachable');
  });
});
