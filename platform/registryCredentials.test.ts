import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseConfig } from './config.js';
import { authorizationOf, loadRegistryCredentials, parseBasicAuthUserInfo } from './registryCredentials.js';

describe('registry client credentials in the configuration', () => {
  test('none by default', () => {
    const config = parseConfig({}, '/repo');
    expect(config.ok && config.value.schemaRegistryCredentials).toEqual({ kind: 'none' });
  });

  test('a basic-auth file or a bearer-token file, resolved against the working directory', () => {
    const basic = parseConfig({ SCHEMA_REGISTRY_BASIC_AUTH_FILE: 'secrets/sr.basic' }, '/repo');
    expect(basic.ok && basic.value.schemaRegistryCredentials).toEqual({
      kind: 'basic-auth-file',
      file: '/repo/secrets/sr.basic',
    });
    const bearer = parseConfig({ SCHEMA_REGISTRY_BEARER_TOKEN_FILE: '/run/sr.token' }, '/repo');
    expect(bearer.ok && bearer.value.schemaRegistryCredentials).toEqual({
      kind: 'bearer-token-file',
      file: '/run/sr.token',
    });
  });

  test('both files at once are refused, naming both variables', () => {
    const config = parseConfig(
      { SCHEMA_REGISTRY_BASIC_AUTH_FILE: '/a', SCHEMA_REGISTRY_BEARER_TOKEN_FILE: '/b' },
      '/repo',
    );
    expect(config.ok).toBe(false);
    const problems = config.ok ? [] : config.error;
    expect(problems).toEqual([
      {
        variable: 'SCHEMA_REGISTRY_BEARER_TOKEN_FILE',
        message: expect.stringMatching(/SCHEMA_REGISTRY_BASIC_AUTH_FILE/),
      },
    ]);
  });

  test('a file and user info in SCHEMA_REGISTRY_URL at once are refused', () => {
    const config = parseConfig(
      { SCHEMA_REGISTRY_URL: 'https://u:p@sr.example.org', SCHEMA_REGISTRY_BASIC_AUTH_FILE: '/a' },
      '/repo',
    );
    expect(config.ok ? [] : config.error).toEqual([
      { variable: 'SCHEMA_REGISTRY_BASIC_AUTH_FILE', message: expect.stringMatching(/SCHEMA_REGISTRY_URL/) },
    ]);
  });
});

describe('registry client credentials from files', () => {
  test('user:password (the password may hold colons) and a token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-sr-creds-'));
    await writeFile(join(dir, 'basic'), 'service:pa:ss\n');
    await writeFile(join(dir, 'token'), 'eyJ.abc.def\n');
    const basic = await loadRegistryCredentials({ kind: 'basic-auth-file', file: join(dir, 'basic') });
    expect(basic).toEqual({ kind: 'basic', username: 'service', password: 'pa:ss' });
    expect(basic && authorizationOf(basic)).toBe(`Basic ${Buffer.from('service:pa:ss').toString('base64')}`);
    const bearer = await loadRegistryCredentials({ kind: 'bearer-token-file', file: join(dir, 'token') });
    expect(bearer && authorizationOf(bearer)).toBe('Bearer eyJ.abc.def');
  });

  test('a missing or malformed file is named, its content never', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-sr-creds-'));
    await writeFile(join(dir, 'basic'), 'just-a-secret\n');
    await expect(loadRegistryCredentials({ kind: 'basic-auth-file', file: join(dir, 'basic') })).rejects.toThrow(
      /SCHEMA_REGISTRY_BASIC_AUTH_FILE=.*basic: expected one line "user:password"/,
    );
    await expect(loadRegistryCredentials({ kind: 'basic-auth-file', file: join(dir, 'basic') })).rejects.not.toThrow(
      /just-a-secret/,
    );
    await expect(loadRegistryCredentials({ kind: 'bearer-token-file', file: join(dir, 'none') })).rejects.toThrow(
      /SCHEMA_REGISTRY_BEARER_TOKEN_FILE=.*none: cannot be read \(ENOENT\)/,
    );
    expect(parseBasicAuthUserInfo(':nouser')).toBeUndefined();
  });
});
