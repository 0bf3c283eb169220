import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { defaultHardening } from '../api/httpHardening.js';
import { ConfigError, configVariables, loadConfig, maskUrl, parseConfig } from './config.js';

describe('parseConfig', () => {
  test('an empty environment gives the local-stack defaults', () => {
    const result = parseConfig({}, '/repo');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.databaseUrl.toString()).toBe('postgres://postgres@127.0.0.1:5432/clinical_event_log');
    expect(result.value.kafkaBrokers).toBe('local-stack');
    expect(result.value.schemaRegistry).toBe('embedded');
    expect(result.value.topicNamespace).toBe('cel');
    expect(result.value.topicPartitions).toBe(6);
    expect(result.value.localStack).toEqual({
      dir: '/repo/.local-stack',
      kafkaVersion: '4.4.0',
      brokerCount: 1,
      kafkaPort: 'auto',
      registryPort: 'auto',
    });
    expect(result.value.logLevel).toBe('info');
    expect(Object.isFrozen(result.value)).toBe(true);
  });

  test('set values are parsed', () => {
    const result = parseConfig(
      {
        DATABASE_URL: 'postgresql://u:secret@db:5433/x',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        TOPIC_PARTITIONS: '12',
        KAFKA_VERSION: '3.9.2',
        KAFKA_BROKER_COUNT: '3',
        KAFKA_PORT: '29092',
        LOCAL_STACK_DIR: '/var/cel',
        LOG_LEVEL: 'DEBUG',
      },
      '/repo',
    );
    expect(result.ok && result.value).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      topicPartitions: 12,
      localStack: { dir: '/var/cel', kafkaVersion: '3.9.2', brokerCount: 3, kafkaPort: 29092 },
      logLevel: 'debug',
    });
  });

  test.each([
    { name: 'port with letters', env: { KAFKA_PORT: '19x92' }, variable: 'KAFKA_PORT' },
    { name: 'registry port with letters', env: { SCHEMA_REGISTRY_PORT: 'x' }, variable: 'SCHEMA_REGISTRY_PORT' },
    { name: 'port out of range', env: { KAFKA_PORT: '70000' }, variable: 'KAFKA_PORT' },
    { name: 'broker count 2', env: { KAFKA_BROKER_COUNT: '2' }, variable: 'KAFKA_BROKER_COUNT' },
    { name: 'end-of-life Kafka line', env: { KAFKA_VERSION: '3.7.0' }, variable: 'KAFKA_VERSION' },
    { name: 'not a version', env: { KAFKA_VERSION: 'latest' }, variable: 'KAFKA_VERSION' },
    { name: 'mysql URL', env: { DATABASE_URL: 'mysql://x@h/db' }, variable: 'DATABASE_URL' },
    { name: 'URL without database', env: { DATABASE_URL: 'postgres://x@h:5432' }, variable: 'DATABASE_URL' },
    { name: 'not a URL', env: { DATABASE_URL: 'localhost' }, variable: 'DATABASE_URL' },
    { name: 'broker without port', env: { KAFKA_BROKERS: 'k1:9092,k2' }, variable: 'KAFKA_BROKERS' },
    { name: 'registry not http', env: { SCHEMA_REGISTRY_URL: 'ftp://r:8081' }, variable: 'SCHEMA_REGISTRY_URL' },
    { name: 'zero partitions', env: { TOPIC_PARTITIONS: '0' }, variable: 'TOPIC_PARTITIONS' },
    { name: 'namespace with dots', env: { TOPIC_NAMESPACE: 'a.b' }, variable: 'TOPIC_NAMESPACE' },
    { name: 'unknown log level', env: { LOG_LEVEL: 'verbose' }, variable: 'LOG_LEVEL' },
    { name: 'frame timeout under a second', env: { MLLP_FRAME_TIMEOUT_MS: '500' }, variable: 'MLLP_FRAME_TIMEOUT_MS' },
    { name: 'no MLLP connections', env: { MLLP_MAX_CONNECTIONS: '0' }, variable: 'MLLP_MAX_CONNECTIONS' },
    {
      name: 'per-peer cap of zero',
      env: { MLLP_MAX_CONNECTIONS_PER_PEER: '0' },
      variable: 'MLLP_MAX_CONNECTIONS_PER_PEER',
    },
    {
      name: 'per-peer cap above the global one',
      env: { MLLP_MAX_CONNECTIONS: '10', MLLP_MAX_CONNECTIONS_PER_PEER: '11' },
      variable: 'MLLP_MAX_CONNECTIONS_PER_PEER',
    },
    { name: 'an empty view name', env: { CEL_VIEWS: 'gp-view,,audit-index' }, variable: 'CEL_VIEWS' },
    { name: 'a view name with spaces', env: { CEL_VIEWS: 'gp view' }, variable: 'CEL_VIEWS' },
    { name: 'batch bytes with letters', env: { CEL_MAX_BATCH_BYTES: '8k' }, variable: 'CEL_MAX_BATCH_BYTES' },
    { name: 'batch bytes too small', env: { CEL_MAX_BATCH_BYTES: '100' }, variable: 'CEL_MAX_BATCH_BYTES' },
    { name: 'a failpoint with no batch', env: { CEL_FAILPOINT: 'mid-batch' }, variable: 'CEL_FAILPOINT' },
    { name: 'a failpoint at batch 0', env: { CEL_FAILPOINT: 'after-commit:0' }, variable: 'CEL_FAILPOINT' },
    { name: 'an unknown failpoint', env: { CEL_FAILPOINT: 'before-commit:3' }, variable: 'CEL_FAILPOINT' },
    { name: 'a rate limit of zero', env: { HTTP_RATE_LIMIT: '0' }, variable: 'HTTP_RATE_LIMIT' },
    { name: 'a rate limit in words', env: { HTTP_RATE_LIMIT: 'lots' }, variable: 'HTTP_RATE_LIMIT' },
    { name: 'a fractional rate limit', env: { HTTP_RATE_LIMIT: '10.5' }, variable: 'HTTP_RATE_LIMIT' },
    {
      name: 'a rate window of zero',
      env: { HTTP_RATE_LIMIT_WINDOW_SECONDS: '0' },
      variable: 'HTTP_RATE_LIMIT_WINDOW_SECONDS',
    },
    {
      name: 'a rate window over a day',
      env: { HTTP_RATE_LIMIT_WINDOW_SECONDS: '86401' },
      variable: 'HTTP_RATE_LIMIT_WINDOW_SECONDS',
    },
    {
      name: 'a host with a space',
      env: { HTTP_ALLOWED_HOSTS: 'api.example.org,bad host' },
      variable: 'HTTP_ALLOWED_HOSTS',
    },
    {
      name: 'an empty host entry',
      env: { HTTP_ALLOWED_HOSTS: 'a.example,,b.example' },
      variable: 'HTTP_ALLOWED_HOSTS',
    },
    { name: 'a host with a bad port', env: { HTTP_ALLOWED_HOSTS: 'localhost:0' }, variable: 'HTTP_ALLOWED_HOSTS' },
    {
      name: 'a URL for a host',
      env: { HTTP_ALLOWED_HOSTS: 'https://api.example.org' },
      variable: 'HTTP_ALLOWED_HOSTS',
    },
  ])('$name is reported against $variable', ({ env, variable }) => {
    const result = parseConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((p) => p.variable)).toEqual([variable]);
  });

  test('the MLLP connection caps: defaults, and set values', () => {
    const defaults = parseConfig({});
    expect(defaults.ok && defaults.value.listen).toMatchObject({
      mllpMaxConnections: 500,
      mllpMaxConnectionsPerPeer: 50,
    });
    const set = parseConfig({ MLLP_MAX_CONNECTIONS: '40', MLLP_MAX_CONNECTIONS_PER_PEER: '40' });
    expect(set.ok && set.value.listen).toMatchObject({ mllpMaxConnections: 40, mllpMaxConnectionsPerPeer: 40 });
  });

  test('MLLP TLS, the plain listener and the senders file: off by default, paths resolved, plain only beside TLS', () => {
    const defaults = parseConfig({}, '/repo');
    expect(defaults.ok && defaults.value.listen.mllp).toEqual({
      tls: undefined,
      plainPort: undefined,
      sendersFile: undefined,
    });
    const set = parseConfig(
      {
        MLLP_TLS_CERT_FILE: 'tls/cert.pem',
        MLLP_TLS_KEY_FILE: '/etc/cel/key.pem',
        MLLP_TLS_CA_FILE: 'tls/ca.pem',
        MLLP_PLAIN_PORT: '2576',
        MLLP_SENDERS_FILE: 'senders.json',
      },
      '/repo',
    );
    expect(set.ok && set.value.listen.mllp).toEqual({
      tls: { certFile: '/repo/tls/cert.pem', keyFile: '/etc/cel/key.pem', caFile: '/repo/tls/ca.pem' },
      plainPort: 2576,
      sendersFile: '/repo/senders.json',
    });
    const sendersOnly = parseConfig({ MLLP_SENDERS_FILE: '/s.json' });
    expect(sendersOnly.ok && sendersOnly.value.listen.mllp.sendersFile).toBe('/s.json');
  });

  test.each([
    {
      name: 'a certificate without its key',
      env: { MLLP_TLS_CERT_FILE: '/c.pem', MLLP_SENDERS_FILE: '/s.json' },
      variable: 'MLLP_TLS_KEY_FILE',
    },
    { name: 'a key without its certificate', env: { MLLP_TLS_KEY_FILE: '/k.pem' }, variable: 'MLLP_TLS_CERT_FILE' },
    { name: 'a CA without TLS', env: { MLLP_TLS_CA_FILE: '/ca.pem' }, variable: 'MLLP_TLS_CA_FILE' },
    {
      name: 'TLS without declared senders',
      env: { MLLP_TLS_CERT_FILE: '/c.pem', MLLP_TLS_KEY_FILE: '/k.pem' },
      variable: 'MLLP_SENDERS_FILE',
    },
    { name: 'a plain port without TLS', env: { MLLP_PLAIN_PORT: '2576' }, variable: 'MLLP_PLAIN_PORT' },
    {
      name: 'a plain port that is not a port',
      env: {
        MLLP_TLS_CERT_FILE: '/c.pem',
        MLLP_TLS_KEY_FILE: '/k.pem',
        MLLP_SENDERS_FILE: '/s.json',
        MLLP_PLAIN_PORT: '70000',
      },
      variable: 'MLLP_PLAIN_PORT',
    },
  ])('MLLP transport: $name is refused, naming $variable', ({ env, variable }) => {
    const result = parseConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((p) => p.variable)).toContain(variable);
  });

  test('the view settings: defaults, and set values', () => {
    const defaults = parseConfig({});
    expect(defaults.ok && defaults.value.views).toEqual({
      selected: 'all',
      maxBatchBytes: undefined,
      failpoint: undefined,
    });
    const set = parseConfig({
      CEL_VIEWS: 'gp-view, audit-index',
      CEL_MAX_BATCH_BYTES: '8192',
      CEL_FAILPOINT: 'after-commit:3',
    });
    expect(set.ok && set.value.views).toEqual({
      selected: ['gp-view', 'audit-index'],
      maxBatchBytes: 8192,
      failpoint: { at: 'after-commit', batch: 3 },
    });
  });

  test("the HTTP limits: defaults are the API's own, and set values", () => {
    const defaults = parseConfig({});
    expect(defaults.ok && defaults.value.http).toEqual(defaultHardening);
    const set = parseConfig({
      HTTP_RATE_LIMIT: '120',
      HTTP_RATE_LIMIT_WINDOW_SECONDS: '10',
      HTTP_ALLOWED_HOSTS: 'API.example.org, localhost:8080,[::1]:8080',
    });
    expect(set.ok && set.value.http).toEqual({
      rateLimit: 120,
      rateLimitWindowSeconds: 10,
      allowedHosts: ['api.example.org', 'localhost:8080', '[::1]:8080'],
    });
  });

  test('a bad HTTP_ALLOWED_HOSTS entry is named with the form expected', () => {
    expect(() => loadConfig({ HTTP_ALLOWED_HOSTS: 'api.example.org,bad host' })).toThrowError(
      /HTTP_ALLOWED_HOSTS="bad host": expected comma-separated host names or host:port/,
    );
    expect(() => loadConfig({ HTTP_RATE_LIMIT: '0' })).toThrowError(
      /HTTP_RATE_LIMIT="0": expected an integer 1–1000000/,
    );
  });

  test('every bad variable is reported at once', () => {
    const result = parseConfig({ KAFKA_PORT: 'x', LOG_LEVEL: 'loud', KAFKA_BROKER_COUNT: '5' });
    expect(result.ok ? [] : result.error.map((p) => p.variable).sort()).toEqual([
      'KAFKA_BROKER_COUNT',
      'KAFKA_PORT',
      'LOG_LEVEL',
    ]);
  });

  test('loadConfig throws one ConfigError naming each variable and what is expected', () => {
    expect(() => loadConfig({ KAFKA_PORT: '25x5' })).toThrowError(ConfigError);
    expect(() => loadConfig({ KAFKA_PORT: '25x5' })).toThrowError(/KAFKA_PORT="25x5": expected an integer 1024–65000/);
  });

  test('passwords are masked for display', () => {
    expect(maskUrl(new URL('postgres://u:secret@h:5432/db'))).toBe('postgres://u:****@h:5432/db');
    expect(maskUrl(new URL('postgres://u@h:5432/db'))).toBe('postgres://u@h:5432/db');
  });
});

describe('the README configuration table', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = readme
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => /^`[A-Z_]+`$/.test(cells[1] ?? ''))
    .map((cells) => ({ name: cells[1]?.replace(/`/g, ''), default: cells[2]?.replace(/`/g, '') }));

  test('lists exactly the variables parseConfig reads, with their defaults', () => {
    expect(rows).toEqual(configVariables.map((v) => ({ name: v.name, default: v.default })));
  });
});
