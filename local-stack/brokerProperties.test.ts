import { describe, expect, test } from 'vitest';
import {
  clusterIdFrom,
  loggingConfig,
  loggingFlavourOf,
  oauthAllowedJvmProperties,
  securedSaslMechanisms,
  serverProperties,
} from './brokerProperties.js';
import { SECURED_SASL_MECHANISMS } from './scram.js';

const parse = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

const nodes = [1, 2, 3].map((nodeId) => ({
  nodeId,
  clientPort: 40_000 + nodeId * 10,
  controllerPort: 40_001 + nodeId * 10,
}));

describe('serverProperties', () => {
  test('a single node is a combined broker and controller on 127.0.0.1 with auto-create off', () => {
    const [node] = nodes;
    if (node === undefined) throw new Error('fixture');
    const props = parse(serverProperties({ node, cluster: [node], dataDir: '/d', defaultPartitions: 3 }));
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:40011',
      listeners: 'PLAINTEXT://127.0.0.1:40010,CONTROLLER://127.0.0.1:40011',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:40010',
      'auto.create.topics.enable': 'false',
      'offsets.topic.replication.factor': '1',
      'min.insync.replicas': '1',
      'log.dirs': '/d',
    });
    expect(props['broker.session.timeout.ms']).toBeUndefined();
  });

  test('three nodes share the voters, replicate internal topics 3 ways and fail over fast', () => {
    const [, second] = nodes;
    if (second === undefined) throw new Error('fixture');
    const props = parse(serverProperties({ node: second, cluster: nodes, dataDir: '/d2', defaultPartitions: 3 }));
    expect(props).toMatchObject({
      'node.id': '2',
      'controller.quorum.voters': '1@127.0.0.1:40011,2@127.0.0.1:40021,3@127.0.0.1:40031',
      listeners: 'PLAINTEXT://127.0.0.1:40020,CONTROLLER://127.0.0.1:40021',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'min.insync.replicas': '2',
      'broker.session.timeout.ms': '3000',
    });
  });
});

describe('serverProperties of a secured node', () => {
  const security = {
    keystoreFile: '/s/broker.keystore.p12',
    keystorePassword: 'kspw',
    truststoreFile: '/s/broker.truststore.p12',
    truststorePassword: 'tspw',
    brokerPassword: 'bpw',
  };

  test('clients and brokers speak SASL_SSL with SCRAM; the controller listener takes PLAIN as broker', () => {
    const [node] = nodes;
    if (node === undefined) throw new Error('fixture');
    const props = parse(serverProperties({ node, cluster: [node], dataDir: '/d', defaultPartitions: 3, security }));
    expect(props).toMatchObject({
      listeners: 'SASL_SSL://127.0.0.1:40010,CONTROLLER://127.0.0.1:40011',
      'advertised.listeners': 'SASL_SSL://127.0.0.1:40010',
      'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'inter.broker.listener.name': 'SASL_SSL',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'sasl.mechanism.controller.protocol': 'PLAIN',
      'ssl.keystore.location': '/s/broker.keystore.p12',
      'ssl.truststore.password': 'tspw',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'false',
      'super.users': 'User:broker;User:admin',
    });
    expect(props['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config']).toContain(
      'username="broker" password="bpw"',
    );
    expect(props['listener.name.controller.plain.sasl.jaas.config']).toContain('user_broker="bpw"');
    expect(Object.values(props).some((v) => String(v).includes('PLAINTEXT://'))).toBe(false);
  });

  const full = {
    ...security,
    plainPasswords: { broker: 'bpw', service: 'spw', subscriber: 'supw' },
    oauth: { jwksFile: '/s/oauth-issuer.jwks.json', issuer: 'urn:issuer', audience: 'aud' },
  };

  test("with the principals' passwords and a token issuer, the SASL_SSL listener offers PLAIN and OAUTHBEARER too", () => {
    const [node] = nodes;
    if (node === undefined) throw new Error('fixture');
    const props = parse(
      serverProperties({ node, cluster: [node], dataDir: '/d', defaultPartitions: 3, security: full }),
    );
    expect(props).toMatchObject({
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN,OAUTHBEARER',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class':
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      'sasl.oauthbearer.jwks.endpoint.url': 'file:///s/oauth-issuer.jwks.json',
      'sasl.oauthbearer.expected.issuer': 'urn:issuer',
      'sasl.oauthbearer.expected.audience': 'aud',
      'sasl.oauthbearer.sub.claim.name': 'sub',
      // The controller listener stays PLAIN for the broker alone.
      'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    });
    expect(props['listener.name.sasl_ssl.plain.sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_broker="bpw" user_service="spw" user_subscriber="supw";',
    );
    expect(props['listener.name.sasl_ssl.oauthbearer.sasl.jaas.config']).toContain('OAuthBearerLoginModule required;');
    // What the stack's status reports is what the launcher configures.
    expect(securedSaslMechanisms(full)).toEqual(SECURED_SASL_MECHANISMS);
    // Never the unsecured validator; clients' PLAIN only on the SASL_SSL listener.
    expect(Object.values(props).some((v) => String(v).includes('Unsecured'))).toBe(false);
    expect(props['listener.security.protocol.map']).toBe('CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL');
  });

  test('an mTLS port adds an SSL listener that requires a client certificate, its CN the principal', () => {
    const node = { nodeId: 2, clientPort: 40_020, controllerPort: 40_021, mtlsPort: 40_050 };
    const props = parse(
      serverProperties({ node, cluster: [node], dataDir: '/d', defaultPartitions: 3, security: full }),
    );
    expect(props).toMatchObject({
      listeners: 'SASL_SSL://127.0.0.1:40020,SSL://127.0.0.1:40050,CONTROLLER://127.0.0.1:40021',
      'advertised.listeners': 'SASL_SSL://127.0.0.1:40020,SSL://127.0.0.1:40050',
      'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
      'inter.broker.listener.name': 'SASL_SSL',
      'ssl.client.auth': 'none',
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([a-z]+)$/$1/,DEFAULT',
    });
  });

  test('the broker JVM may read the JWKS file, and nothing else, by URL and by path', () => {
    expect(oauthAllowedJvmProperties('/s/oauth-issuer.jwks.json')).toEqual([
      '-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=file:///s/oauth-issuer.jwks.json',
      '-Dorg.apache.kafka.sasl.oauthbearer.allowed.files=/s/oauth-issuer.jwks.json',
    ]);
    expect(oauthAllowedJvmProperties('/s,t/jwks.json')).toBeUndefined();
  });

  test('everything else is as on a plain node', () => {
    const [, second] = nodes;
    if (second === undefined) throw new Error('fixture');
    const plain = parse(serverProperties({ node: second, cluster: nodes, dataDir: '/d', defaultPartitions: 3 }));
    const secured = parse(
      serverProperties({ node: second, cluster: nodes, dataDir: '/d', defaultPartitions: 3, security }),
    );
    const listenerKeys = [
      'listeners',
      'advertised.listeners',
      'inter.broker.listener.name',
      'listener.security.protocol.map',
    ];
    for (const [key, value] of Object.entries(plain)) {
      if (!listenerKeys.includes(key)) expect(secured[key], key).toBe(value);
    }
  });
});

describe('logging', () => {
  test('3.x uses log4j 1, 4.x log4j 2', () => {
    expect(loggingFlavourOf('3.9.2')).toBe('log4j1');
    expect(loggingFlavourOf('4.4.0')).toBe('log4j2');
  });

  test('tools log to stderr so their stdout stays clean', () => {
    expect(loggingConfig('log4j2', 'tools')).toContain('SYSTEM_ERR');
    expect(loggingConfig('log4j1', 'tools')).toContain('System.err');
    expect(loggingConfig('log4j2', 'broker')).toContain('SYSTEM_OUT');
  });
});

describe('clusterIdFrom', () => {
  test('is 22 characters of base64url and never starts with "-"', () => {
    expect(clusterIdFrom(new Uint8Array(16).fill(7))).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(clusterIdFrom(new Uint8Array(16).fill(0xfb))).toBeUndefined(); // encodes as "-…"
  });
});
