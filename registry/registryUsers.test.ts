import { describe, expect, test } from 'vitest';
import { createRegistryUsers, hashRegistryUser, parseRegistryUsersFile } from './registryUsers.js';

describe('registry users', () => {
  test("the right password gives the role; a wrong one, another user's or an unknown user none", async () => {
    const users = createRegistryUsers([
      await hashRegistryUser('service', 'service', 'pw-service'),
      await hashRegistryUser('admin', 'admin', 'pw-admin'),
    ]);
    expect(await users.verify('service', 'pw-service')).toBe('service');
    expect(await users.verify('admin', 'pw-admin')).toBe('admin');
    // Again: served from the passed-credentials memory, the same answer.
    expect(await users.verify('service', 'pw-service')).toBe('service');
    expect(await users.verify('service', 'pw-admin')).toBeUndefined();
    expect(await users.verify('service', 'pw-service ')).toBeUndefined();
    expect(await users.verify('service', '')).toBeUndefined();
    expect(await users.verify('nobody', 'pw-service')).toBeUndefined();
  });

  test('an entry holds a salted hash, never the password; two entries for one password differ', async () => {
    const a = await hashRegistryUser('service', 'service', 'correct horse battery staple');
    const b = await hashRegistryUser('service', 'service', 'correct horse battery staple');
    expect(JSON.stringify(a)).not.toContain('correct horse');
    expect(a.kdf).toBe('scrypt-N16384-r8-p1');
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(parseRegistryUsersFile({ users: [a] })).toEqual({ ok: true, value: [a] });
  });

  test.each([
    [{}, /expected \{"users"/],
    [{ users: [{ name: 'a b', role: 'admin' }] }, /users\[0\]\.name/],
    [{ users: [{ name: 'x', role: 'root' }] }, /users\[0\]\.role: expected subscriber, service or admin/],
    [{ users: [{ name: 'x', role: 'admin', kdf: 'md5' }] }, /users\[0\]\.kdf/],
    [{ users: [{ name: 'x', role: 'admin', kdf: 'scrypt-N16384-r8-p1', salt: 'AA==' }] }, /users\[0\]\.salt/],
  ])('a bad users file is refused naming the entry: %j', (file, reason) => {
    const parsed = parseRegistryUsersFile(file);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(reason);
  });

  test('a user listed twice is refused', async () => {
    const entry = await hashRegistryUser('service', 'service', 'pw');
    const parsed = parseRegistryUsersFile({ users: [entry, entry] });
    expect(parsed.ok ? '' : parsed.error).toMatch(/listed twice/);
  });
});
