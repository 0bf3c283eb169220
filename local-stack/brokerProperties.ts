/**
 * The files a local Kafka node needs: server.properties and the logging configs for the
 * broker and for the command-line tools, and the JVM properties a secured node needs. Pure:
 * the launcher writes them.
 */
import { pathToFileURL } from 'node:url';

export type NodePorts = {
  readonly nodeId: number;
  readonly clientPort: number;
  readonly controllerPort: number;
  /**
   * A secured node's TLS listener that takes client certificates (mTLS). Absent on plain nodes
   * and on secured clusters created before it existed: they start without it.
   */
  readonly mtlsPort?: number;
};

/** How the broker checks OAUTHBEARER tokens: the issuer's public keys (a JWKS file) and the claims it expects. */
export type OauthValidation = {
  readonly jwksFile: string;
  readonly issuer: string;
  readonly audience: string;
};

/**
 * What a secured node needs: its TLS stores and the `broker` principal's password; with
 * `plainPasswords` (each principal's SCRAM password) its SASL_SSL listener offers PLAIN too, with
 * `oauth` OAUTHBEARER too.
 */
export type NodeSecurity = {
  readonly keystoreFile: string;
  readonly keystorePassword: string;
  readonly truststoreFile: string;
  readonly truststorePassword: string;
  readonly brokerPassword: string;
  readonly plainPasswords?: Readonly<Record<string, string>>;
  readonly oauth?: OauthValidation;
};

/** The SASL mechanisms a secured node's SASL_SSL listener offers. */
export function securedSaslMechanisms(security: Pick<NodeSecurity, 'plainPasswords' | 'oauth'>): string[] {
  return [
    'SCRAM-SHA-512',
    'SCRAM-SHA-256',
    ...(security.plainPasswords === undefined ? [] : ['PLAIN']),
    ...(security.oauth === undefined ? [] : ['OAUTHBEARER']),
  ];
}

/**
 * A client certificate's subject `CN=<principal>` is the principal `<principal>` (so a
 * certificate for `service` gets the ACLs of `User:service`); any other subject stays the whole DN.
 */
export const SSL_PRINCIPAL_MAPPING_RULES = 'RULE:^CN=([a-z]+)$/$1/,DEFAULT';

export const OAUTH_VALIDATOR_CALLBACK_HANDLER =
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler';

/** The JWKS URL the broker reads the token issuer's keys from. */
export const jwksUrlOf = (jwksFile: string): string => pathToFileURL(jwksFile).href;

/**
 * The broker JVM's system properties that let the OAUTHBEARER validator read the JWKS file:
 * Kafka 4.x refuses any URL not in `org.apache.kafka.sasl.oauthbearer.allowed.urls`, and any
 * file not in `org.apache.kafka.sasl.oauthbearer.allowed.files` (both lists, comma-separated).
 * Undefined when the path cannot be listed (it holds a comma).
 */
export function oauthAllowedJvmProperties(jwksFile: string): string[] | undefined {
  const url = jwksUrlOf(jwksFile);
  if (jwksFile.includes(',') || url.includes(',')) return undefined;
  return [
    `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${url}`,
    `-Dorg.apache.kafka.sasl.oauthbearer.allowed.files=${jwksFile}`,
  ];
}

export function serverProperties(options: {
  readonly node: NodePorts;
  readonly cluster: readonly NodePorts[];
  readonly dataDir: string;
  readonly defaultPartitions: number;
  /** Absent: one PLAINTEXT client listener and no authorization (the default stack). */
  readonly security?: NodeSecurity;
}): string {
  const { node, cluster } = options;
  const replicated = cluster.length >= 3;
  const voters = cluster.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const lines = [
    '# Written by the local-stack launcher; edits are overwritten on the next start.',
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    // Static voters work on 3.9 and 4.x alike, and need no --standalone at format time.
    `controller.quorum.voters=${voters}`,
    ...(options.security === undefined
      ? [
          `listeners=PLAINTEXT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${node.clientPort}`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        ]
      : securedListeners(node, options.security)),
    `log.dirs=${options.dataDir}`,
    `num.partitions=${options.defaultPartitions}`,
    // Topics are created by the project with explicit configs, never by a stray produce.
    'auto.create.topics.enable=false',
    `default.replication.factor=${replicated ? 3 : 1}`,
    `min.insync.replicas=${replicated ? 2 : 1}`,
    `offsets.topic.replication.factor=${replicated ? 3 : 1}`,
    `transaction.state.log.replication.factor=${replicated ? 3 : 1}`,
    `transaction.state.log.min.isr=${replicated ? 2 : 1}`,
    'unclean.leader.election.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.ms=-1',
    'message.max.bytes=4194304',
    'replica.fetch.max.bytes=4194304',
  ];
  if (replicated) {
    // Fence a dead broker in ~3 s instead of ~9 s, so failover tests take seconds.
    lines.push('broker.session.timeout.ms=3000', 'broker.heartbeat.interval.ms=500');
  }
  return `${lines.join('\n')}\n`;
}

const scramJaas = (password: string) =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${password}";`;

/** The PLAIN login module of the client listener: one `user_<name>="<password>"` per principal. */
const plainUsersJaas = (passwords: Readonly<Record<string, string>>) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required ${Object.entries(passwords)
    .map(([name, password]) => `user_${name}="${password}"`)
    .join(' ')};`;

/**
 * A secured node: clients and inter-broker traffic on one SASL_SSL listener, every request
 * authorized by ACLs, nothing allowed where no ACL says so. The SASL_SSL listener offers
 * SCRAM-SHA-512 and SCRAM-SHA-256 (credentials from the metadata log, put there at format
 * time), PLAIN (only ever inside TLS; the same passwords) and OAUTHBEARER (JWTs of the token
 * issuer, checked against its JWKS file with the expected issuer and audience; `sub` is the
 * principal). With `mtlsPort`, an SSL listener takes client certificates (required) of the
 * stack's CA, the principal from the subject's CN.
 *
 * The controller listener stays on 127.0.0.1 without TLS but is not anonymous: SASL PLAIN with
 * the `broker` principal. SCRAM cannot serve it (the controllers read SCRAM credentials from
 * the very metadata log they serve), and a PLAINTEXT controller listener would make
 * User:ANONYMOUS a super user — anyone on the machine could then use the controller's admin
 * APIs (`--bootstrap-controller`). Loopback traffic needs no TLS.
 */
function securedListeners(node: NodePorts, security: NodeSecurity): string[] {
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="${security.brokerPassword}" user_broker="${security.brokerPassword}";`;
  const mtls = node.mtlsPort !== undefined;
  const { plainPasswords, oauth } = security;
  const listeners = [`SASL_SSL://127.0.0.1:${node.clientPort}`, ...(mtls ? [`SSL://127.0.0.1:${node.mtlsPort}`] : [])];
  return [
    `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${node.controllerPort}`].join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SASL_SSL',
    `listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL${mtls ? ',SSL:SSL' : ''}`,
    `listener.name.sasl_ssl.sasl.enabled.mechanisms=${securedSaslMechanisms(security).join(',')}`,
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramJaas(security.brokerPassword)}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramJaas(security.brokerPassword)}`,
    ...(plainPasswords === undefined
      ? []
      : [`listener.name.sasl_ssl.plain.sasl.jaas.config=${plainUsersJaas(plainPasswords)}`]),
    ...(oauth === undefined
      ? []
      : [
          'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
          // The validating handler (JWKS, issuer, audience), never the unsecured one.
          `listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class=${OAUTH_VALIDATOR_CALLBACK_HANDLER}`,
          `sasl.oauthbearer.jwks.endpoint.url=${jwksUrlOf(oauth.jwksFile)}`,
          `sasl.oauthbearer.expected.issuer=${oauth.issuer}`,
          `sasl.oauthbearer.expected.audience=${oauth.audience}`,
          'sasl.oauthbearer.sub.claim.name=sub',
        ]),
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${plain}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${security.keystoreFile}`,
    `ssl.keystore.password=${security.keystorePassword}`,
    `ssl.key.password=${security.keystorePassword}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${security.truststoreFile}`,
    `ssl.truststore.password=${security.truststorePassword}`,
    'ssl.client.auth=none',
    ...(mtls ? ['listener.name.ssl.ssl.client.auth=required'] : []),
    `ssl.principal.mapping.rules=${SSL_PRINCIPAL_MAPPING_RULES}`,
    'ssl.endpoint.identification.algorithm=https',
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    // `admin` only creates topics and ACLs when the stack starts; services use `service`.
    'super.users=User:broker;User:admin',
  ];
}

export type LoggingFlavour = 'log4j1' | 'log4j2';

/** Kafka 3.x logs through log4j 1 (reload4j); 4.x through log4j 2. */
export function loggingFlavourOf(kafkaVersion: string): LoggingFlavour {
  return kafkaVersion.startsWith('3.') ? 'log4j1' : 'log4j2';
}

/**
 * Logging config. The broker logs INFO to stdout (redirected to its log file); the tools log
 * WARN to stderr, because a tool that logs to stdout corrupts output the launcher reads.
 */
export function loggingConfig(flavour: LoggingFlavour, target: 'broker' | 'tools'): string {
  const level = target === 'broker' ? 'INFO' : 'WARN';
  if (flavour === 'log4j1') {
    return [
      `log4j.rootLogger=${level}, out`,
      'log4j.appender.out=org.apache.log4j.ConsoleAppender',
      `log4j.appender.out.Target=${target === 'broker' ? 'System.out' : 'System.err'}`,
      'log4j.appender.out.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.org.apache.kafka.clients=WARN',
      '',
    ].join('\n');
  }
  return [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    `appender.out.target = ${target === 'broker' ? 'SYSTEM_OUT' : 'SYSTEM_ERR'}`,
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.out.ref = OUT',
    'logger.clients.name = org.apache.kafka.clients',
    'logger.clients.level = WARN',
    '',
  ].join('\n');
}

export function loggingSystemProperty(flavour: LoggingFlavour, file: string): string {
  return flavour === 'log4j1' ? `-Dlog4j.configuration=file:${file}` : `-Dlog4j2.configurationFile=${file}`;
}

/** A KRaft cluster id: 16 random bytes in unpadded base64url, never starting with "-" (as Kafka's own Uuid). */
export function clusterIdFrom(randomBytes16: Uint8Array): string | undefined {
  const id = Buffer.from(randomBytes16).toString('base64url');
  return id.startsWith('-') ? undefined : id;
}
