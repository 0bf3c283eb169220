import { describe, expect, test } from 'vitest';
import { grantsFor, parseScope, parseScopes } from './scopes.js';

describe('SMART scopes', () => {
  test.each([
    { text: 'patient/Condition.rs', context: 'patient', resource: 'Condition', permissions: 'rs' },
    { text: 'user/MedicationRequest.cruds', context: 'user', resource: 'MedicationRequest', permissions: 'cruds' },
    { text: 'system/*.c', context: 'system', resource: '*', permissions: 'c' },
    { text: 'user/Encounter.read', context: 'user', resource: 'Encounter', permissions: 'rs' },
    { text: 'user/Encounter.write', context: 'user', resource: 'Encounter', permissions: 'cud' },
    { text: 'patient/*.*', context: 'patient', resource: '*', permissions: 'cruds' },
    { text: 'user/Condition.rs?category=problem-list-item', context: 'user', resource: 'Condition', permissions: 'rs' },
  ])('$text', ({ text, context, resource, permissions }) => {
    const scope = parseScope(text);
    expect(scope).toMatchObject({ context, resource });
    expect([...(scope?.permissions ?? [])].join('')).toBe(permissions);
  });

  test.each([
    'openid',
    'launch/patient',
    'user/Condition.sr',
    'user/Condition.rr',
    'user/Condition.',
    'org/Condition.rs',
    'user/Condition.x',
    '',
  ])('%j grants nothing', (text) => {
    expect(parseScope(text)).toBeUndefined();
  });

  test('a need is granted by its resource or *, with every permission it names', () => {
    const scopes = parseScopes('openid user/Condition.r system/*.c patient/MedicationRequest.rs');
    expect(grantsFor(scopes, { resource: 'Condition', permissions: 'rs' })).toEqual([]);
    expect(grantsFor(scopes, { resource: 'Condition', permissions: 'r' })).toHaveLength(1);
    expect(grantsFor(scopes, { resource: 'Encounter', permissions: 'c' })).toHaveLength(1);
    expect(grantsFor(scopes, { resource: 'MedicationRequest', permissions: 'rs' })[0]?.context).toBe('patient');
  });
});
