/**
 * The project's registry client (platform/schemaRegistry.ts) logging in to the embedded
 * registry as Confluent clients do: SCHEMA_REGISTRY_BASIC_AUTH_FILE, SCHEMA_REGISTRY_BEARER_TOKEN_FILE
 * or user info in SCHEMA_REGISTRY_URL, from the configuration to a registration; and the
 * start-up report of a project subject an admin lowered.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../platform/config.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { loadRegistryCredentials } from '../platform/registryCredentials.js';
import {
  createRegistry,
  isRegistryUp,
  latestSchemaOf,
  type RegistryHandle,
  SchemaRegistryError,
  setSubjectCompatibility,
} from '../platform/schemaRegistry.js';
import { topicNames } from '../schemas/topics.js';
import { describe, expect } from '../test/support/fixtures.js';
import { testTempDir } from '../test/support/testTempDir.js';
import { uniqueName } from '../test/support/uniqueName.js';
import {
  confluentDefaultsRegistryTest,
  externalRegistryUrl,
  registryTest,
  testRegistryAuth,
  testRegistryPasswords,
} from './registryUnderTest.js';

const test = registryTest.skipIf(externalRegistryUrl !== undefined);

/** A client made as the service makes one: from the environment's variables. */
async function clientFromEnv(env: Record<string, string>): Promise<RegistryHandle> {
  const config = parseConfig(env, '/');
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  if (config.value.schemaRegistry === 'embedded') throw new Error('SCHEMA_REGISTRY_URL expected');
  return createRegistry(
    config.value.schemaRegistry,
    await loadRegistryCredentials(config.value.schemaRegistryCredentials),
  );
}

const firstSubjects = (namespace: string) => projectSchemaRegistrations(topicNames(namespace)).slice(0, 2);

describe('the registry client with credentials', () => {
  test('SCHEMA_REGISTRY_BASIC_AUTH_FILE: registers the project schemas; the URL it shows has no password', async ({
    registry,
  }) => {
    const dir = await testTempDir('cel-sr-basic-');
    const file = join(dir, 'service.basic-auth');
    await writeFile(file, `service:${testRegistryPasswords.service}\n`, { mode: 0o600 });
    const client = await clientFromEnv({ SCHEMA_REGISTRY_URL: registry.url, SCHEMA_REGISTRY_BASIC_AUTH_FILE: file });
    expect(await isRegistryUp(client)).toBe(true);
    const registered = await registerSchemas(client, firstSubjects(uniqueName('ns')));
    expect(registered.bySubject.size).toBe(2);
    expect(registered.weakened).toEqual([]);
    expect(client.url.toString()).not.toContain(testRegistryPasswords.service);
  });

  test('SCHEMA_REGISTRY_BEARER_TOKEN_FILE: a token of an integration role registers', async ({ registry }) => {
    const dir = await testTempDir('cel-sr-bearer-');
    const file = join(dir, 'registry.token');
    await writeFile(file, `${await (await testRegistryAuth()).tokenFor(['integration'])}\n`, { mode: 0o600 });
    const client = await clientFromEnv({ SCHEMA_REGISTRY_URL: registry.url, SCHEMA_REGISTRY_BEARER_TOKEN_FILE: file });
    const registered = await registerSchemas(client, firstSubjects(uniqueName('ns')));
    expect(registered.bySubject.size).toBe(2);
    // The library client (decoding) sends the token too.
    const [id] = registered.bySubject.values();
    expect(await client.client.getSchema(id ?? 0)).toBeDefined();
  });

  test('user info in SCHEMA_REGISTRY_URL keeps working; no credentials, or a wrong password, is refused', async ({
    registry,
    registryUrl,
  }) => {
    const withUserInfo = await clientFromEnv({ SCHEMA_REGISTRY_URL: registryUrl });
    expect(await isRegistryUp(withUserInfo)).toBe(true);
    expect(withUserInfo.url.toString()).toBe(`${registry.url}/`);

    const anonymous = await clientFromEnv({ SCHEMA_REGISTRY_URL: registry.url });
    expect(await isRegistryUp(anonymous)).toBe(false);
    await expect(latestSchemaOf(anonymous, 'cel.raw-receipts-value')).rejects.toMatchObject({
      status: 401,
      registryErrorCode: 40101,
    });
    const wrong = new URL(registry.url);
    wrong.username = 'service';
    wrong.password = 'wrong';
    const refused = registerSchemas(createRegistry(wrong), firstSubjects(uniqueName('ns')));
    await expect(refused).rejects.toBeInstanceOf(SchemaRegistryError);
    await expect(refused).rejects.toMatchObject({ status: 401 });
  });

  test('a subject an admin lowered is reported, not raised back; the service may not raise it', async ({
    registryUrl,
    adminRegistryUrl,
  }) => {
    const service = createRegistry(new URL(registryUrl));
    const registrations = firstSubjects(uniqueName('ns'));
    const lowered = registrations[0]?.subject ?? '';
    await registerSchemas(service, registrations);
    await setSubjectCompatibility(createRegistry(new URL(adminRegistryUrl)), lowered, 'NONE');
    await expect(setSubjectCompatibility(service, lowered, 'FULL_TRANSITIVE')).rejects.toMatchObject({ status: 403 });

    const again = await registerSchemas(service, registrations);
    expect(again.weakened).toEqual([{ subject: lowered, level: 'NONE', own: true }]);
  });
});

describe('a registry whose global level is weaker than the project', () => {
  confluentDefaultsRegistryTest.skipIf(externalRegistryUrl !== undefined)(
    'the service, which may not set levels, reports each new subject; an admin client sets FULL_TRANSITIVE',
    async ({ registryUrl, adminRegistryUrl }) => {
      const registrations = firstSubjects(uniqueName('ns'));
      const asService = await registerSchemas(createRegistry(new URL(registryUrl)), registrations);
      expect(asService.weakened).toEqual(
        registrations.map((r) => ({ subject: r.subject, level: 'BACKWARD', own: false })),
      );
      const others = firstSubjects(uniqueName('ns'));
      const asAdmin = await registerSchemas(createRegistry(new URL(adminRegistryUrl)), others);
      expect(asAdmin.weakened).toEqual([]);
      expect((await registerSchemas(createRegistry(new URL(registryUrl)), others)).weakened).toEqual([]);
    },
  );
});
