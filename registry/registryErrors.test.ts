import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { errorCodeOf, type RegistryProblem, type RegistryProblemKind, toErrorResponse } from './registryErrors.js';

const subject = 'cel.clinical-events-clinicaleventlog.events.PatientDischarged';

// One row per kind; Record<RegistryProblemKind, …> makes a missing row a compile error.
const examples: Record<RegistryProblemKind, { problem: RegistryProblem; status: number; code: number }> = {
  'subject-not-found': { problem: { kind: 'subject-not-found', subject }, status: 404, code: 40401 },
  'version-not-found': { problem: { kind: 'version-not-found', subject, version: 3 }, status: 404, code: 40402 },
  'schema-not-found': { problem: { kind: 'schema-not-found', id: 7 }, status: 404, code: 40403 },
  'subject-soft-deleted': { problem: { kind: 'subject-soft-deleted', subject }, status: 404, code: 40404 },
  'subject-not-soft-deleted': { problem: { kind: 'subject-not-soft-deleted', subject }, status: 404, code: 40405 },
  'version-soft-deleted': { problem: { kind: 'version-soft-deleted', subject, version: 2 }, status: 404, code: 40406 },
  'version-not-soft-deleted': {
    problem: { kind: 'version-not-soft-deleted', subject, version: 2 },
    status: 404,
    code: 40407,
  },
  'subject-compatibility-not-configured': {
    problem: { kind: 'subject-compatibility-not-configured', subject },
    status: 404,
    code: 40408,
  },
  'incompatible-schema': {
    problem: { kind: 'incompatible-schema', subject, messages: ["field 'reason' was removed without a default"] },
    status: 409,
    code: 409,
  },
  'invalid-schema': { problem: { kind: 'invalid-schema', reason: 'undefined type name: B' }, status: 422, code: 42201 },
  'invalid-version': { problem: { kind: 'invalid-version', version: '0' }, status: 422, code: 42202 },
  'invalid-compatibility-level': {
    problem: { kind: 'invalid-compatibility-level', given: 'SOME' },
    status: 422,
    code: 42203,
  },
  'malformed-request': {
    problem: { kind: 'malformed-request', reason: 'Unrecognized JSON body' },
    status: 400,
    code: 400,
  },
  'unsupported-media-type': {
    problem: { kind: 'unsupported-media-type', contentType: 'text/plain' },
    status: 415,
    code: 415,
  },
  'request-too-large': { problem: { kind: 'request-too-large' }, status: 413, code: 413 },
  'route-not-found': { problem: { kind: 'route-not-found', method: 'GET', path: '/nowhere' }, status: 404, code: 404 },
  unauthenticated: { problem: { kind: 'unauthenticated', reason: 'no credentials' }, status: 401, code: 40101 },
  forbidden: {
    problem: { kind: 'forbidden', who: 'subscriber', role: 'subscriber', operation: 'register schemas' },
    status: 403,
    code: 40301,
  },
  'authentication-unavailable': { problem: { kind: 'authentication-unavailable' }, status: 503, code: 50301 },
  'store-error': { problem: { kind: 'store-error' }, status: 500, code: 50001 },
  'internal-error': { problem: { kind: 'internal-error' }, status: 500, code: 500 },
};

describe('toErrorResponse', () => {
  test.each(Object.entries(examples).map(([kind, example]) => ({ kind, ...example })))(
    '$kind → HTTP $status, error_code $code',
    ({ problem, status, code }) => {
      const response = toErrorResponse(problem);
      expect(response.httpStatus).toBe(status);
      expect(response.body.error_code).toBe(code);
      expect(response.body.message.length).toBeGreaterThan(0);
    },
  );

  test('the incompatibility message carries the subject and what is wrong', () => {
    expect(toErrorResponse(examples['incompatible-schema'].problem).body.message).toBe(
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [field 'reason' was removed without a default]`,
    );
  });

  test('a store failure does not leak its cause to the client', () => {
    expect(toErrorResponse({ kind: 'store-error' }).body.message).not.toMatch(/password|postgres:\/\//i);
  });
});

describe('registry/README.md', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  test.each(Object.keys(examples) as RegistryProblemKind[])('documents the error_code of %s', (kind) => {
    expect(readme).toMatch(new RegExp(`\\b${errorCodeOf(kind)}\\b`));
  });
});
