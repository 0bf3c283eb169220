/**
 * No Docker engine runs where the tests run, so compose.yaml is checked statically: its
 * structure, pinned official images, the dependency graph and health checks, ports published on
 * 127.0.0.1 only, no secret in the file (passwords are Docker secrets, read through `*_FILE`
 * variables), Kafka secured as the secured local stack is (its server.properties and ACLs), and
 * the service's environment against the variables the configuration parser knows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type AclBinding, stackAclBindings } from '../local-stack/aclPolicy.js';
import { serverProperties } from '../local-stack/brokerProperties.js';
import { configVariables, parseConfig } from '../platform/config.js';
import { parseMllpSenders } from '../producers/hl7v2/mllpSenders.js';
import { type ComposeService, compose, environmentOf, kafkaPropertiesOf, REPO_ROOT } from './support/composeFile.js';

const read = (file: string) => readFileSync(`${REPO_ROOT}${file}`, 'utf8');
const services = Object.entries(compose.services);
const kafkaEnvironment = environmentOf('kafka');
const kafkaProperties = kafkaPropertiesOf(kafkaEnvironment);

/** The secured local stack's broker configuration, as a map. */
const localStackProperties = new Map(
  serverProperties({
    node: { nodeId: 1, clientPort: 19092, controllerPort: 19093 },
    cluster: [{ nodeId: 1, clientPort: 19092, controllerPort: 19093 }],
    dataDir: '/data',
    defaultPartitions: 6,
    security: {
      keystoreFile: '/k',
      keystorePassword: 'k',
      truststoreFile: '/t',
      truststorePassword: 't',
      brokerPassword: 'b',
    },
  })
    .split('\n')
    .filter((line) => line.includes('=') && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
);

/** One-shot set-up steps: run to completion before what depends on them starts. */
const isOneShot = (service: ComposeService) => service.restart === 'no';

describe('compose.yaml', () => {
  test('has Kafka with its set-up and ACL steps, the schema registry, PostgreSQL and the service', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'clinical-event-log',
      'kafka',
      'kafka-acls',
      'kafka-setup',
      'postgres',
      'schema-registry',
    ]);
  });

  test('uses pinned official images, Kafka at the release the local stack runs', () => {
    const kafkaVersion = configVariables.find((v) => v.name === 'KAFKA_VERSION')?.default;
    for (const name of ['kafka', 'kafka-setup', 'kafka-acls']) {
      expect(compose.services[name]?.image).toBe(`apache/kafka:${kafkaVersion}`);
    }
    expect(compose.services['schema-registry']?.image).toMatch(/^confluentinc\/cp-schema-registry:\d+\.\d+\.\d+$/);
    expect(compose.services.postgres?.image).toBe('postgres:15');
    expect(compose.services['clinical-event-log']?.build).toBe('.');
    for (const [name, service] of services) {
      if (service.image !== undefined) expect(service.image, name).toMatch(/^[\w./-]+:\d+(\.\d+)*$/);
    }
  });

  test('every dependency exists and is waited on: until healthy, or until a one-shot step has succeeded', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        if (target !== undefined && isOneShot(target)) {
          expect(condition, `${name} on ${dependency}`).toBe('service_completed_successfully');
        } else {
          expect(condition, `${name} on ${dependency}`).toBe('service_healthy');
          expect(target?.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
        }
      }
    }
  });

  test('every long-running service has a health check', () => {
    for (const [name, service] of services) {
      if (!isOneShot(service)) expect(service.healthcheck?.test, name).toBeDefined();
    }
  });

  test('publishes every port on 127.0.0.1 only', () => {
    const published = services.flatMap(([name, service]) => (service.ports ?? []).map((port) => [name, port] as const));
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) {
      expect(typeof port, `${name}: ${JSON.stringify(port)} (short syntax)`).toBe('string');
      expect(port, name).toMatch(/^127\.0\.0\.1:(\d+|\$\{\w+:-\d+\}):\d+$/);
    }
    const service = compose.services['clinical-event-log'];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not a template
    expect(service?.ports).toEqual(['127.0.0.1:${PORT:-8080}:8080', '127.0.0.1:${MLLP_PORT:-2575}:2575']);
  });

  test('holds no secret: nothing that names a password or secret has a value other than a file', () => {
    const credential = /PASSWORD|SECRET|CREDENTIALS|JAAS|TOKEN|API_KEY/i;
    for (const [name, service] of services) {
      for (const [key, raw] of Object.entries(service.environment ?? {})) {
        const value = String(raw);
        expect(value, `${name}: ${key}`).not.toMatch(/password\s*=|user_\w+\s*=|:\/\/[^/@:]+:[^/@]+@/i);
        if (credential.test(key)) {
          // A *_FILE variable, or the Kafka image's name of a file under /etc/kafka/secrets.
          expect(value, `${name}: ${key}`).toMatch(/^(\/run\/secrets\/[\w-]+|[\w.-]+\.password)$/);
        }
      }
    }
    expect(new URL(environmentOf('clinical-event-log').DATABASE_URL ?? '').password).toBe('');
  });

  test('every secret is a file under secrets/, made by deploy/make-secrets.sh, kept out of git and of images', () => {
    const declared = Object.entries(compose.secrets ?? {});
    expect(declared.length).toBeGreaterThan(0);
    for (const [name, { file }] of declared) expect(file, name).toBe(`./secrets/${name}`);
    const made = /for name in ([^;]+);/.exec(read('deploy/make-secrets.sh').replace(/\\\n\s*/g, ' '))?.[1];
    expect(made?.trim().split(/\s+/).sort()).toEqual(declared.map(([name]) => name).sort());
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['secrets/*', '!secrets/README.md']));
    expect(read('.dockerignore').split('\n')).toContain('secrets');
    for (const [name, service] of services) {
      for (const secret of service.secrets ?? []) expect(compose.secrets?.[secret], `${name}: ${secret}`).toBeDefined();
    }
  });

  test('every *_FILE variable names a secret the service is given, or a file in a volume it mounts', () => {
    for (const [name, service] of services) {
      const mounts = (service.volumes ?? []).map((volume) => volume.split(':')[1] ?? '');
      for (const [key, raw] of Object.entries(service.environment ?? {})) {
        if (!key.endsWith('_FILE')) continue;
        const value = String(raw);
        const secret = /^\/run\/secrets\/([\w-]+)$/.exec(value)?.[1];
        if (/PASSWORD|SECRET|AUTH|_KEY_/.test(key)) expect(secret, `${name}: ${key} is a secret`).toBeDefined();
        if (secret !== undefined) {
          expect(service.secrets, `${name}: ${key}`).toContain(secret);
        } else {
          expect(
            mounts.some((target) => value === target || value.startsWith(`${target}/`)),
            `${name}: ${key}=${value} is in a mounted volume`,
          ).toBe(true);
        }
      }
    }
    // The set-up script reads the secrets it is given, and no others.
    const read_ = [...read('deploy/kafka-setup.sh').matchAll(/\$\(secret ([\w-]+)\)/g)].map((m) => m[1]);
    expect(read_.sort()).toEqual([...(compose.services['kafka-setup']?.secrets ?? [])].sort());
  });

  test('Kafka runs KRaft with auto-create off and nothing expiring', () => {
    expect(compose.services.kafka?.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_LOG_RETENTION_MS: -1,
    });
    expect(compose.services['kafka-setup']?.environment).toBe(compose.services.kafka?.environment);
  });

  test('Kafka is secured as the secured local stack: SASL_SSL listeners, a loopback controller, ACLs only', () => {
    const protocols = new Map(
      (kafkaProperties.get('listener.security.protocol.map') ?? '')
        .split(',')
        .map((pair) => pair.split(':') as [string, string]),
    );
    const listeners = (kafkaProperties.get('listeners') ?? '').split(',').map((l) => /^(\w+):\/\/(.*)$/.exec(l) ?? []);
    const controller = kafkaProperties.get('controller.listener.names');
    for (const [, name = '', address = ''] of listeners) {
      if (name === controller) {
        expect(protocols.get(name)).toBe('SASL_PLAINTEXT');
        expect(address, 'the controller listens on loopback only').toMatch(/^127\.0\.0\.1:\d+$/);
      } else {
        expect(protocols.get(name), name).toBe('SASL_SSL');
      }
    }
    for (const advertised of (kafkaProperties.get('advertised.listeners') ?? '').split(',')) {
      expect(protocols.get(advertised.split(':')[0] ?? ''), advertised).toBe('SASL_SSL');
    }
    for (const key of [
      'inter.broker.listener.name',
      'sasl.mechanism.inter.broker.protocol',
      'listener.name.controller.sasl.enabled.mechanisms',
      'sasl.mechanism.controller.protocol',
      'ssl.keystore.type',
      'ssl.client.auth',
      'ssl.endpoint.identification.algorithm',
      'authorizer.class.name',
      'allow.everyone.if.no.acl.found',
      'super.users',
      'auto.create.topics.enable',
      'unclean.leader.election.enable',
      'log.retention.ms',
      'message.max.bytes',
      'replica.fetch.max.bytes',
      'group.initial.rebalance.delay.ms',
    ]) {
      expect(kafkaProperties.get(key), key).toBe(localStackProperties.get(key));
    }
    expect(kafkaProperties.get('sasl.enabled.mechanisms')).toBe(
      localStackProperties.get('listener.name.sasl_ssl.sasl.enabled.mechanisms'),
    );
    // The broker's logins come from a file the set-up step writes, not from this file.
    expect(kafkaEnvironment.KAFKA_OPTS).toBe(
      '-Djava.security.auth.login.config=/etc/kafka/secrets/kafka_server_jaas.conf',
    );
  });

  test("the ACL step grants the service principal exactly the secured local stack's ACLs", () => {
    const script = read('deploy/kafka-acls.sh').replace(/\\\n\s*/g, ' ');
    const namespace = environmentOf('kafka-acls').TOPIC_NAMESPACE ?? '';
    const operation = (name: string) =>
      name.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? '' : '-'}${c.toLowerCase()}`);
    const granted: AclBinding[] = [...script.matchAll(/^acl (.+)$/gm)].flatMap(([, line = '']) => {
      const arg = (flag: string) => new RegExp(`--${flag}(?: "?([^"\\s]+)"?)?`).exec(line);
      const principal = arg('allow-principal')?.[1] ?? '';
      const [resource, name] = arg('topic')
        ? (['topic', arg('topic')?.[1]] as const)
        : arg('group')
          ? (['group', arg('group')?.[1]] as const)
          : arg('transactional-id')
            ? (['transactional-id', arg('transactional-id')?.[1]] as const)
            : (['cluster', 'kafka-cluster'] as const);
      const pattern = /--resource-pattern-type prefixed/.test(line) ? 'prefixed' : 'literal';
      return [...line.matchAll(/--operation (\w+)/g)].map(([, op = '']) => ({
        principal,
        resource,
        name: (name ?? '').replace('$NS', namespace),
        pattern,
        operation: operation(op) as AclBinding['operation'],
      }));
    });
    const key = (b: AclBinding) => `${b.principal} ${b.resource} ${b.name} ${b.pattern} ${b.operation}`;
    const expected = stackAclBindings(namespace).filter((b) => b.principal === 'User:service');
    expect(
      granted
        .filter((b) => b.principal === 'User:service')
        .map(key)
        .sort(),
    ).toEqual(expected.map(key).sort());
    expect(namespace).toBe(environmentOf('clinical-event-log').TOPIC_NAMESPACE);
    expect(new Set(granted.map((b) => b.principal))).toEqual(new Set(['User:service', 'User:schema-registry']));
  });

  test("the service's environment is valid configuration, using only documented variables", () => {
    const env = environmentOf('clinical-event-log');
    const known = new Set<string>(configVariables.map((v) => v.name));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const parsed = parseConfig(env);
    expect(parsed.ok ? [] : parsed.error).toEqual([]);
    if (!parsed.ok) return;
    expect(parsed.value.kafkaBrokers).toEqual(['kafka:29092']);
    expect(env.DATABASE_PASSWORD_FILE).toBe('/run/secrets/postgres-password');
    expect(parsed.value.kafkaSecurity).toMatchObject({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'service' },
      tls: { caFile: '/etc/kafka/ca/ca.pem' },
    });
    // The service connects to an advertised SASL_SSL listener, by a name in the broker's certificate.
    expect(kafkaProperties.get('advertised.listeners')?.split(',')).toContain('SASL_SSL://kafka:29092');
    expect(read('deploy/kafka-setup.sh')).toContain('-ext san=dns:kafka,dns:localhost,ip:127.0.0.1');
  });

  test('MLLP senders on this host are declared by the address Docker gives them: the pinned network gateway', () => {
    const gateway = compose.networks?.default?.ipam?.config?.[0]?.gateway;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.1$/);
    const senders = parseMllpSenders(read('deploy/mllp-senders.json'));
    expect(senders.ok && senders.value.kind === 'declared' && senders.value.senders.map((s) => s.addresses)).toEqual([
      [gateway],
    ]);
    expect(environmentOf('clinical-event-log').MLLP_SENDERS_FILE).toBe('/etc/cel/mllp-senders.json');
    expect(compose.services['clinical-event-log']?.volumes).toContain(
      './deploy/mllp-senders.json:/etc/cel/mllp-senders.json:ro',
    );
  });
});
