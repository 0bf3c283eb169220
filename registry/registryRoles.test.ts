import { describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import { buildRegistryApp } from './buildRegistryApp.js';
import { mayDo, permissionOf, registryRoleOfToken, routePermissions } from './registryRoles.js';
import { createRegistryUsers } from './registryUsers.js';

describe('registry roles', () => {
  test('the app builds (every route has a row), and every row names a route of the app', async () => {
    const pool = { on: () => undefined } as unknown as Pool;
    const app = buildRegistryApp({
      pool,
      logger: createLogger('silent'),
      auth: {
        users: createRegistryUsers([]),
        verifyToken: async () => ({ ok: false, error: { kind: 'invalid', detail: 'x' } }),
      },
    });
    await app.ready();
    // A route without a row would have failed `ready()` (registryAuth.ts attaches each one's permission).
    for (const key of Object.keys(routePermissions)) {
      const [method = '', url = ''] = key.split(' ');
      expect(app.hasRoute({ method: method as 'GET', url }), key).toBe(true);
    }
    await app.close();
  });

  test.each([
    ['GET', '/subjects', 'read'],
    ['HEAD', '/subjects', 'read'],
    ['POST', '/subjects/:subject', 'check'],
    ['POST', '/subjects/:subject/versions', 'register'],
    ['PUT', '/config/:subject', 'administer'],
    ['DELETE', '/subjects/:subject/versions/:version', 'administer'],
    ['GET', '/', 'anonymous'],
    ['PATCH', '/subjects', undefined],
  ])('%s %s needs %s', (method, url, permission) => {
    expect(permissionOf(method, url)).toBe(permission);
  });

  test('subscriber reads; service reads, checks and registers; admin does everything', () => {
    expect(['read', 'check', 'register', 'administer'].filter((p) => mayDo('subscriber', p as never))).toEqual([
      'read',
    ]);
    expect(['read', 'check', 'register', 'administer'].filter((p) => mayDo('service', p as never))).toEqual([
      'read',
      'check',
      'register',
    ]);
    expect(['read', 'check', 'register', 'administer'].every((p) => mayDo('admin', p as never))).toBe(true);
  });

  test.each([
    [['operator'], 'admin'],
    [['integration'], 'service'],
    [['gp'], 'subscriber'],
    [['auditor', 'operator'], 'admin'],
    [['pharmacist', 'integration'], 'service'],
    [[], undefined],
  ] as const)('a token with roles %j is registry %s', (roles, role) => {
    expect(registryRoleOfToken({ roles })).toBe(role);
  });
});
