/**
 * Who may do what on the real embedded registry: anonymous callers, the three Basic users and
 * bearer tokens, against reads, checks, registrations, level changes and deletes. A refused
 * request changes nothing.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevKey } from '../auth/devIssuer.js';
import type { Role } from '../auth/roles.js';
import { describe, expect } from '../test/support/fixtures.js';
import { uniqueName } from '../test/support/uniqueName.js';
import {
  callRegistry,
  externalRegistryUrl,
  type RegistryRequest,
  registryTest,
  testRegistryAuth,
  testRegistryPasswords,
  tokenSignedBy,
} from './registryUnderTest.js';

const test = registryTest.skipIf(externalRegistryUrl !== undefined);

const schema = JSON.stringify({
  type: 'record',
  name: 'PatientDischarged',
  namespace: 'cel.events',
  fields: [{ name: 'reason', type: 'string' }],
});
const v2 = JSON.stringify({
  type: 'record',
  name: 'PatientDischarged',
  namespace: 'cel.events',
  fields: [
    { name: 'reason', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

type Operation = 'liveness' | 'read' | 'check' | 'register' | 'change config' | 'delete';

/** Each operation on a subject that holds one version (registered by the admin first). */
const operations: Record<Operation, (subject: string) => RegistryRequest> = {
  liveness: () => ({ method: 'GET', path: '/' }),
  read: (s) => ({ method: 'GET', path: `/subjects/${s}/versions/latest` }),
  check: (s) => ({ method: 'POST', path: `/compatibility/subjects/${s}/versions/latest`, body: { schema: v2 } }),
  register: (s) => ({ method: 'POST', path: `/subjects/${s}/versions`, body: { schema: v2 } }),
  'change config': (s) => ({ method: 'PUT', path: `/config/${s}`, body: { compatibility: 'NONE' } }),
  delete: (s) => ({ method: 'DELETE', path: `/subjects/${s}` }),
};

type Caller = 'anonymous' | 'subscriber' | 'service' | 'admin';
const Y = 200;
const N = 403;
const U = 401;
/** The matrix: caller → operation → status. */
const expected: Record<Caller, Record<Operation, number>> = {
  anonymous: { liveness: Y, read: U, check: U, register: U, 'change config': U, delete: U },
  subscriber: { liveness: Y, read: Y, check: N, register: N, 'change config': N, delete: N },
  service: { liveness: Y, read: Y, check: Y, register: Y, 'change config': N, delete: N },
  admin: { liveness: Y, read: Y, check: Y, register: Y, 'change config': Y, delete: Y },
};

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const authorizationOf = (caller: Caller): string | null =>
  caller === 'anonymous' ? null : basic(caller, testRegistryPasswords[caller]);

/** What the subject looks like to the admin: its versions and its own level (undefined: none). */
async function stateOf(url: string, subject: string): Promise<{ versions: unknown; level: unknown }> {
  const admin = authorizationOf('admin');
  const versions = await callRegistry(url, {
    method: 'GET',
    path: `/subjects/${subject}/versions`,
    authorization: admin,
  });
  const level = await callRegistry(url, { method: 'GET', path: `/config/${subject}`, authorization: admin });
  return { versions: versions.body, level: level.status === 200 ? level.body : undefined };
}

const rows = (Object.keys(expected) as Caller[]).flatMap((caller) =>
  (Object.keys(operations) as Operation[]).map((operation) => ({
    caller,
    operation,
    status: expected[caller][operation],
  })),
);

describe('registry roles', () => {
  test.for(rows)('$caller: $operation → $status', async ({ caller, operation, status }, { registry }) => {
    const subject = uniqueName('cel.clinical-events-clinicaleventlog.events.PatientDischarged');
    const setUp = await callRegistry(registry.url, {
      method: 'POST',
      path: `/subjects/${subject}/versions`,
      body: { schema },
      authorization: authorizationOf('admin'),
    });
    expect(setUp.status).toBe(200);
    const before = await stateOf(registry.url, subject);

    const response = await callRegistry(registry.url, {
      ...operations[operation](subject),
      authorization: authorizationOf(caller),
    });

    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === U) {
      expect(response.body).toEqual({ error_code: 40101, message: expect.stringMatching(/^Unauthorized: /) });
      expect(response.headers.get('www-authenticate')).toBe(
        'Basic realm="schema-registry", Bearer realm="schema-registry"',
      );
    }
    if (status === N) {
      expect(response.body).toEqual({
        error_code: 40301,
        message: expect.stringMatching(new RegExp(`^Forbidden: user ${caller} \\(registry role ${caller}\\) may not `)),
      });
    }
    if (status !== Y) expect(await stateOf(registry.url, subject)).toEqual(before);
  });

  test('a wrong password, an unknown user and a malformed header are 401; an unknown route needs credentials first', async ({
    registry,
  }) => {
    for (const authorization of [
      basic('service', 'not-the-password'),
      basic('nobody', testRegistryPasswords.service),
      basic('service', ''),
      'Basic !!!',
      'Digest username="service"',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      const response = await callRegistry(registry.url, { method: 'GET', path: '/subjects', authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.body).toMatchObject({ error_code: 40101 });
    }
    expect((await callRegistry(registry.url, { method: 'GET', path: '/nowhere', authorization: null })).status).toBe(
      401,
    );
    expect(
      (
        await callRegistry(registry.url, {
          method: 'GET',
          path: '/nowhere',
          authorization: authorizationOf('subscriber'),
        })
      ).status,
    ).toBe(404);
  });

  test.for([
    { roles: ['operator'], level: 200, register: 200, read: 200 },
    { roles: ['integration'], level: 403, register: 200, read: 200 },
    { roles: ['gp'], level: 403, register: 403, read: 200 },
    { roles: ['auditor', 'integration'], level: 403, register: 200, read: 200 },
    { roles: [], level: 403, register: 403, read: 403 },
  ] as { roles: Role[]; level: number; register: number; read: number }[])(
    'a bearer token with roles $roles: read $read, register $register, change a level $level',
    async ({ roles, level, register, read }, { registry }) => {
      const authorization = `Bearer ${await (await testRegistryAuth()).tokenFor(roles)}`;
      const subject = uniqueName('cel.raw-receipts-value');
      const call = (request: RegistryRequest) => callRegistry(registry.url, { ...request, authorization });
      expect((await call(operations.read(subject))).status).toBe(read === 200 ? 404 : read); // no such subject yet
      expect((await call({ method: 'POST', path: `/subjects/${subject}/versions`, body: { schema } })).status).toBe(
        register,
      );
      const changed = await call(operations['change config'](subject));
      expect(changed.status).toBe(level);
      if (level === 403) expect(changed.body).toMatchObject({ error_code: 40301 });
    },
  );

  test('a token signed by another key, or mangled, is 401 naming why', async ({ registry }) => {
    const otherKey = await loadOrCreateDevKey(await mkdtemp(join(tmpdir(), 'cel-other-issuer-')));
    const foreign = await tokenSignedBy(otherKey, ['operator']);
    const response = await callRegistry(registry.url, {
      method: 'GET',
      path: '/subjects',
      authorization: `Bearer ${foreign}`,
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error_code: 40101, message: expect.stringMatching(/key|signature/) });
    const trusted = await (await testRegistryAuth()).tokenFor(['operator']);
    const mangled = `${trusted.slice(0, -4)}AAAA`;
    expect(
      (await callRegistry(registry.url, { method: 'GET', path: '/subjects', authorization: `Bearer ${mangled}` }))
        .status,
    ).toBe(401);
  });
});
