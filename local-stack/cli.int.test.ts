import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { registryTest as test } from '../registry/registryUnderTest.js';
import { describe, expect } from '../test/support/fixtures.js';
import { runStackCli } from '../test/support/runStackCli.js';
import { testKafkaEnv } from '../test/support/testKafka.js';
import { testTempDir } from '../test/support/testTempDir.js';

describe('npm run stack', () => {
  test('status --json prints one JSON object locating a running stack', async ({
    kafkaBrokers,
    databaseUrl,
    registryUrl,
  }) => {
    const result = await runStackCli(['status', '--json'], {
      PATH: process.env.PATH ?? '',
      ...testKafkaEnv(),
      DATABASE_URL: databaseUrl.toString(),
      SCHEMA_REGISTRY_URL: registryUrl,
    });
    expect(result.code).toBe(0);
    // The registry URL's user info is sent, never shown.
    const shown = new URL(registryUrl);
    shown.username = '';
    shown.password = '';
    expect(JSON.parse(result.stdout)).toEqual({
      kafka: { bootstrap: kafkaBrokers.join(','), up: true, embedded: false },
      database: { url: databaseUrl.toString(), up: true },
      registry: { url: shown.toString(), up: true, embedded: false },
      auth: {
        mode: 'development',
        issuer: 'urn:clinical-event-log:development-issuer',
        audience: 'clinical-event-log',
        jwksUrl: 'http://127.0.0.1:8080/.well-known/jwks.json',
      },
    });
    expect(result.stdout).not.toContain(new URL(registryUrl).password);
  });

  test('status --json names a configured OIDC issuer and its JWKS', async () => {
    const result = await runStackCli(['status', '--json'], {
      PATH: process.env.PATH ?? '',
      LOCAL_STACK_DIR: await testTempDir('cel-empty-stack-'),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      AUTH_ISSUER: 'https://login.example.nhs.uk/realms/cel',
      AUTH_JWKS_URL: 'https://login.example.nhs.uk/realms/cel/protocol/openid-connect/certs',
      AUTH_AUDIENCE: 'cel-api',
    });
    expect(JSON.parse(result.stdout).auth).toEqual({
      mode: 'oidc',
      issuer: 'https://login.example.nhs.uk/realms/cel',
      audience: 'cel-api',
      jwksUrl: 'https://login.example.nhs.uk/realms/cel/protocol/openid-connect/certs',
    });
  });

  test('status --json of a stack never started says so, and exits non-zero', async () => {
    const result = await runStackCli(['status', '--json'], {
      PATH: process.env.PATH ?? '',
      LOCAL_STACK_DIR: await testTempDir('cel-empty-stack-'),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      kafka: { bootstrap: null, up: false, embedded: true },
      database: { url: 'postgres://postgres@127.0.0.1:1/none', up: false },
      registry: { url: null, up: false, embedded: true },
      auth: {
        mode: 'development',
        issuer: 'urn:clinical-event-log:development-issuer',
        audience: 'clinical-event-log',
        jwksUrl: 'http://127.0.0.1:8080/.well-known/jwks.json',
      },
    });
  });

  test('up without Maven on PATH names the tool to install', async () => {
    const result = await runStackCli(['up'], {
      PATH: '/nonexistent',
      LOCAL_STACK_DIR: await testTempDir('cel-no-mvn-'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mvn not found: .*apt-get install maven/);
  });

  test('up without Java on PATH (jars cached) names the runtime to install', async () => {
    const stackDir = await testTempDir('cel-no-java-');
    const version = inject('kafkaVersion');
    await mkdir(join(stackDir, 'kafka', version), { recursive: true });
    await symlink(inject('kafkaJarsDir'), join(stackDir, 'kafka', version, 'jars'));
    const result = await runStackCli(['up'], {
      PATH: '/nonexistent',
      LOCAL_STACK_DIR: stackDir,
      KAFKA_VERSION: version,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/java not found: .*Java 17\+ runtime/);
  });

  test('an invalid setting stops start-up with an error naming the variable', async () => {
    const result = await runStackCli(['status'], { PATH: process.env.PATH ?? '', KAFKA_BROKER_COUNT: '2' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('KAFKA_BROKER_COUNT="2": expected 1 or 3');
  });
});
