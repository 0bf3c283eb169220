import { describe, expect, test } from 'vitest';
import { accessPolicy, type RouteKey } from './accessPolicy.js';
import { authorizeRequest, type TokenRule } from './authorizeRequest.js';
import { principalFromClaims } from './principal.js';

const NHS = '9434765919';
const OTHER = '9991000216';

function principal(claims: Record<string, unknown>) {
  const read = principalFromClaims({ sub: 'someone', ...claims });
  if (!read.ok) throw new Error(read.error);
  return read.value;
}

const rule = (key: RouteKey) => accessPolicy[key] as TokenRule;

describe('authorizeRequest', () => {
  const gp = principal({ roles: ['gp'], scope: 'user/Encounter.rs user/Condition.rs user/MedicationRequest.rs' });

  test('the role, the scopes and the patient each decide', () => {
    const summary = rule('GET /patients/:nhs/gp-summary');
    expect(authorizeRequest(summary, gp, { params: { nhs: NHS }, query: {} }).allowed).toBe(true);
    const pharmacist = principal({ roles: ['pharmacist'], scope: 'user/*.rs' });
    expect(authorizeRequest(summary, pharmacist, { params: { nhs: NHS }, query: {} })).toMatchObject({
      allowed: false,
      refusal: { detail: "this route needs the role gp; the token's roles: pharmacist" },
    });
    const partial = principal({ roles: ['gp'], scope: 'user/Encounter.rs user/Condition.rs' });
    expect(authorizeRequest(summary, partial, { params: { nhs: NHS }, query: {} })).toMatchObject({
      allowed: false,
      refusal: { scope: 'user/MedicationRequest.rs' },
    });
  });

  test('a token bound to a patient reaches that patient only, and no list of many', () => {
    const bound = principal({ roles: ['gp', 'pharmacist'], patient: NHS, scope: 'patient/*.rs' });
    const summary = rule('GET /patients/:nhs/gp-summary');
    expect(authorizeRequest(summary, bound, { params: { nhs: NHS }, query: {} }).allowed).toBe(true);
    expect(authorizeRequest(summary, bound, { params: { nhs: '943 476 5919' }, query: {} }).allowed).toBe(true);
    expect(authorizeRequest(summary, bound, { params: { nhs: OTHER }, query: {} }).allowed).toBe(false);
    expect(authorizeRequest(rule('GET /pharmacy/orders'), bound, { params: {}, query: {} }).allowed).toBe(false);
  });

  test('patient/ scopes without a patient claim reach no one', () => {
    const unbound = principal({ roles: ['gp'], scope: 'patient/*.rs' });
    expect(
      authorizeRequest(rule('GET /patients/:nhs/gp-summary'), unbound, { params: { nhs: NHS }, query: {} }).allowed,
    ).toBe(false);
  });

  test('a query-bound route needs the patient named', () => {
    const auditor = principal({ roles: ['auditor'], patient: NHS, scope: 'user/AuditEvent.rs' });
    const events = rule('GET /audit/events');
    expect(authorizeRequest(events, auditor, { params: {}, query: { patient: NHS } }).allowed).toBe(true);
    expect(authorizeRequest(events, auditor, { params: {}, query: {} }).allowed).toBe(false);
    expect(authorizeRequest(events, auditor, { params: {}, query: { patient: OTHER } }).allowed).toBe(false);
  });

  test('submissions need a token bound to no patient', () => {
    const integration = principal({ roles: ['integration'], scope: 'system/*.c' });
    expect(authorizeRequest(rule('POST /events'), integration, { params: {}, query: {} }).allowed).toBe(true);
    const bound = principal({ roles: ['integration'], scope: 'system/*.c', patient: NHS });
    expect(authorizeRequest(rule('POST /events'), bound, { params: {}, query: {} }).allowed).toBe(false);
  });
});

describe('principalFromClaims', () => {
  test.each([
    { claims: { roles: ['gp'] }, error: 'the token has no usable "sub" claim' },
    {
      claims: { sub: 'a', roles: 'gp', patient: '1234567890' },
      error: 'the token\'s "patient" claim is not a valid NHS number',
    },
    { claims: { sub: 'a', roles: [1] }, error: 'the token\'s "roles" claim is not a list of role names' },
    { claims: { sub: 'a', roles: [], scope: 5 }, error: 'the token\'s "scope" claim is not a space-separated string' },
  ])('$error', ({ claims, error }) => {
    expect(principalFromClaims(claims)).toEqual({ ok: false, error });
  });

  test("Keycloak's realm_access.roles is read when there is no roles claim", () => {
    expect(principalFromClaims({ sub: 'a', realm_access: { roles: ['offline_access', 'gp'] } })).toMatchObject({
      ok: true,
      value: { roles: ['gp'] },
    });
  });

  test('unknown roles are dropped; the purpose of use defaults from the role; scp is read like scope', () => {
    const read = principalFromClaims({
      sub: 'a',
      roles: ['admin', 'auditor'],
      scp: ['user/AuditEvent.rs'],
      azp: 'portal',
    });
    expect(read).toMatchObject({
      ok: true,
      value: { roles: ['auditor'], purposeOfUse: 'HCOMPL', clientId: 'portal', patientBound: false },
    });
  });
});
