/**
 * No Docker engine runs where the tests run, so compose.yaml is checked statically: its
 * structure, pinned official images, the dependency graph, and the service's environment
 * against the variables the configuration parser knows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { configVariables, parseConfig } from '../platform/config.js';

type Service = {
  image?: string;
  build?: unknown;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  healthcheck?: { test: unknown };
};
const compose = parse(readFileSync(new URL('../compose.yaml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};

describe('compose.yaml', () => {
  test('has Kafka, the schema registry, PostgreSQL and the service', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'clinical-event-log',
      'kafka',
      'postgres',
      'schema-registry',
    ]);
  });

  test('uses pinned official images', () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    expect(compose.services['schema-registry']?.image).toMatch(/^confluentinc\/cp-schema-registry:\d+\.\d+\.\d+$/);
    expect(compose.services.postgres?.image).toBe('postgres:15');
    expect(compose.services['clinical-event-log']?.build).toBe('.');
  });

  test('every dependency exists and is waited on until healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(compose.services[dependency]?.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
        expect(condition).toBe('service_healthy');
      }
    }
  });

  test('Kafka runs KRaft with auto-create off and nothing expiring', () => {
    expect(compose.services.kafka?.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_LOG_RETENTION_MS: -1,
    });
  });

  test("the service's environment is valid configuration, using only documented variables", () => {
    const env = Object.fromEntries(
      Object.entries(compose.services['clinical-event-log']?.environment ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const known = new Set<string>(configVariables.map((v) => v.name));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const parsed = parseConfig(env);
    expect(parsed.ok && parsed.value.kafkaBrokers).toEqual(['kafka:29092']);
  });
});
