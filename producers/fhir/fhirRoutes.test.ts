/**
 * The FHIR routes' 503 is the one problem answer (platform/replyProblem.ts) rendered as an
 * OperationOutcome: same status, code, Retry-After and correlation id as the JSON route's
 * problem+json for the same outcome.
 */
import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { jsonRoutes } from '../json/jsonRoutes.js';
import { fhirRoutes } from './fhirRoutes.js';

const unavailable: IngestOutcome = { kind: 'unavailable', correlationId: 'corr-1' } as IngestOutcome;
const ingest = { ingest: async () => unavailable } as unknown as IngestService;

async function post(url: string, contentType: string) {
  const app = Fastify({ logger: false });
  await app.register(fhirRoutes, { ingest, clock: () => new Date() });
  await app.register(jsonRoutes, { ingest, clock: () => new Date() });
  return app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: '{}' });
}

describe('a log that cannot store the message now', () => {
  test('FHIR answers 503 with an OperationOutcome carrying the code and correlation id', async () => {
    const response = await post('/fhir/Condition', 'application/fhir+json');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['content-type']).toContain('application/fhir+json');
    expect(response.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'transient',
          details: { coding: [{ code: 'CEL_ERR_PUBLISH_UNAVAILABLE' }] },
          diagnostics: expect.stringContaining('correlationId=corr-1'),
        },
      ],
    });
  });

  test('JSON answers the same problem as problem+json', async () => {
    const response = await post('/events', 'application/json');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      status: 503,
      code: 'CEL_ERR_PUBLISH_UNAVAILABLE',
      correlationId: 'corr-1',
    });
  });
});
