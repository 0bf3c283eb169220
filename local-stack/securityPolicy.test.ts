import { describe, expect, test } from 'vitest';
import { stackAclBindings } from './aclPolicy.js';
import { addScramArguments, clientJson, clientProperties } from './scram.js';

const passwords = { broker: 'b1', admin: 'a1', service: 's1', subscriber: 'u1' };

describe('addScramArguments', () => {
  test('one --add-scram per principal and mechanism, in the StorageTool syntax of Kafka 3.9 and 4.x', () => {
    const args = addScramArguments(passwords);
    expect(args.filter((a) => a === '--add-scram')).toHaveLength(8);
    expect(args).toContain('SCRAM-SHA-512=[name=service,password=s1]');
    expect(args).toContain('SCRAM-SHA-256=[name=broker,password=b1]');
  });
});

describe('client configs', () => {
  const trust = { caFile: '/s/ca.pem', truststoreFile: '/s/broker.truststore.p12', truststorePassword: 't' };

  test('Java properties name SASL_SSL, SCRAM-SHA-512, the JAAS login and the truststore', () => {
    const text = clientProperties({ username: 'service', password: 's1' }, trust);
    expect(text).toContain('security.protocol=SASL_SSL\n');
    expect(text).toContain('sasl.mechanism=SCRAM-SHA-512\n');
    expect(text).toContain(
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="service" password="s1";\n',
    );
    expect(text).toContain('ssl.truststore.location=/s/broker.truststore.p12\n');
  });

  test('JSON carries what a kafkajs client needs', () => {
    expect(JSON.parse(clientJson({ username: 'subscriber', password: 'u1' }, trust))).toEqual({
      securityProtocol: 'SASL_SSL',
      mechanism: 'scram-sha-512',
      username: 'subscriber',
      password: 'u1',
      caFile: '/s/ca.pem',
    });
  });
});

describe('stackAclBindings', () => {
  const bindings = stackAclBindings('cel');
  const of = (principal: string) =>
    bindings.filter((b) => b.principal === principal).map((b) => `${b.resource}:${b.pattern}:${b.name}:${b.operation}`);

  test('the service may use the topics, groups and transactional ids under the namespace', () => {
    expect(of('User:service')).toEqual(
      expect.arrayContaining([
        'topic:prefixed:cel.:create',
        'topic:prefixed:cel.:write',
        'topic:prefixed:cel.:read',
        'group:prefixed:cel.:read',
        'cluster:literal:kafka-cluster:idempotent-write',
      ]),
    );
    expect(of('User:service').every((b) => b.includes(':cel.:') || b.startsWith('cluster:'))).toBe(true);
  });

  test('the subscriber may only read the clinical events, with subscriber.* groups', () => {
    expect(of('User:subscriber').sort()).toEqual(
      [
        'group:prefixed:subscriber.:describe',
        'group:prefixed:subscriber.:read',
        'topic:literal:cel.clinical-events:describe',
        'topic:literal:cel.clinical-events:read',
      ].sort(),
    );
  });

  test('nobody else gets anything', () => {
    expect(new Set(bindings.map((b) => b.principal))).toEqual(new Set(['User:service', 'User:subscriber']));
  });
});
