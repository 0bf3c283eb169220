/**
 * The SCRAM principals of a secured local stack and what is written for them: the
 * `StorageTool format --add-scram` arguments that put their credentials into the new cluster's
 * metadata, and a client config per principal (Java properties and JSON). Pure.
 */

/**
 * `broker`: inter-broker and controller traffic; `admin`: creates topics and ACLs at stack start;
 * `service`: the project's services; `subscriber`: a downstream reader of the clinical events.
 */
export const SCRAM_PRINCIPALS = ['broker', 'admin', 'service', 'subscriber'] as const;
export type ScramPrincipal = (typeof SCRAM_PRINCIPALS)[number];

/** Clients use SCRAM-SHA-512; the broker accepts SCRAM-SHA-256 as well. */
export const SCRAM_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const;
/** Every mechanism the secured stack's SASL_SSL listener offers (brokerProperties.ts): SCRAM, PLAIN inside TLS, OAUTHBEARER. */
export const SECURED_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER'] as const;
export const CLIENT_SECURITY_PROTOCOL = 'SASL_SSL';
export const CLIENT_SASL_MECHANISM = 'SCRAM-SHA-512';

export type ClientCredentials = { readonly username: string; readonly password: string };
export type ClientTrust = {
  readonly caFile: string;
  readonly truststoreFile: string;
  readonly truststorePassword: string;
};

/**
 * `--add-scram 'SCRAM-SHA-512=[name=service,password=…]'`, one per principal and mechanism
 * (the same syntax in Kafka 3.9 and 4.x). The passwords are hex, so need no quoting.
 */
export function addScramArguments(passwords: Readonly<Record<ScramPrincipal, string>>): string[] {
  return SCRAM_PRINCIPALS.flatMap((name) =>
    SCRAM_MECHANISMS.flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${name},password=${passwords[name]}]`]),
  );
}

export const scramJaasConfig = (credentials: ClientCredentials): string =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${credentials.username}" password="${credentials.password}";`;

/** A `--command-config` / `--consumer.config` file for the Java tools. */
export function clientProperties(credentials: ClientCredentials, trust: ClientTrust): string {
  return [
    `security.protocol=${CLIENT_SECURITY_PROTOCOL}`,
    `sasl.mechanism=${CLIENT_SASL_MECHANISM}`,
    `sasl.jaas.config=${scramJaasConfig(credentials)}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${trust.truststoreFile}`,
    `ssl.truststore.password=${trust.truststorePassword}`,
    '',
  ].join('\n');
}

/** The same for Node clients: kafkajs takes `ssl: { ca: [pem of caFile] }` and `sasl: { mechanism, username, password }`. */
export function clientJson(credentials: ClientCredentials, trust: Pick<ClientTrust, 'caFile'>): string {
  return `${JSON.stringify(
    {
      securityProtocol: CLIENT_SECURITY_PROTOCOL,
      mechanism: CLIENT_SASL_MECHANISM.toLowerCase(),
      username: credentials.username,
      password: credentials.password,
      caFile: trust.caFile,
    },
    null,
    2,
  )}\n`;
}
