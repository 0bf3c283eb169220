/**
 * How the project's Kafka clients prove who they are and whom they talk to, from configuration:
 * the security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), TLS (a CA file, and a
 * client certificate and key for mTLS; hostnames are always verified), and SASL (SCRAM-SHA-512,
 * SCRAM-SHA-256, PLAIN with a username and a password file, or OAUTHBEARER with the client
 * credentials grant against a token endpoint and a secret file). Secrets are only ever read from
 * files, when a client is made, and never logged. `parseKafkaSecurity` is pure and refuses
 * combinations that cannot work or would send a secret in clear, naming the variable;
 * `loadKafkaSecurity` reads the files (I/O) and gives the options every client is made with
 * (platform/kafka.ts `createKafkaClient`).
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Mechanism, SASLOptions } from 'kafkajs';
import { isLoopbackHostname } from '../core/loopbackHost.js';
import { oauthBearerMechanism } from './oauthBearerAuthenticator.js';

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof securityProtocols)[number];
export const saslMechanisms = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export type KafkaSaslConfig =
  | {
      readonly mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';
      readonly username: string;
      /** KAFKA_SASL_PASSWORD_FILE */
      readonly passwordFile: string;
    }
  | {
      readonly mechanism: 'OAUTHBEARER';
      readonly tokenEndpoint: URL;
      readonly clientId: string;
      /** KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE */
      readonly clientSecretFile: string;
      readonly scope: string | undefined;
    };

export type KafkaSecurityConfig = {
  readonly protocol: SecurityProtocol;
  /** With SSL and SASL_SSL. */
  readonly tls:
    | {
        readonly caFile: string | undefined;
        readonly certFile: string | undefined;
        readonly keyFile: string | undefined;
      }
    | undefined;
  /** With SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl: KafkaSaslConfig | undefined;
};

/** The options a kafkajs client is made with: TLS and SASL, secrets in memory only. */
export type KafkaClientSecurity = {
  readonly ssl?: ConnectionOptions;
  /** OAUTHBEARER is a `Mechanism` (platform/oauthBearerAuthenticator.ts): it tells a refused token from an accepted one. */
  readonly sasl?: SASLOptions | Mechanism;
};

type Problem = (variable: string, message: string) => void;

export const plaintext: KafkaSecurityConfig = Object.freeze({ protocol: 'PLAINTEXT', tls: undefined, sasl: undefined });

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/**
 * The security settings from the environment. `brokers` (when known) lets a SASL PLAIN password
 * go without TLS to a broker on this machine only.
 */
export function parseKafkaSecurity(
  value: (name: string) => string | undefined,
  problem: Problem,
  brokers: readonly string[] | 'local-stack' | undefined,
): KafkaSecurityConfig {
  const protocolRaw = (value('KAFKA_SECURITY_PROTOCOL') ?? 'PLAINTEXT').toUpperCase();
  const protocol = securityProtocols.find((p) => p === protocolRaw);
  if (protocol === undefined) {
    problem('KAFKA_SECURITY_PROTOCOL', `"${protocolRaw}": expected one of ${securityProtocols.join(', ')}`);
    return plaintext;
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

  const caFile = value('KAFKA_SSL_CA_FILE');
  const certFile = value('KAFKA_SSL_CERT_FILE');
  const keyFile = value('KAFKA_SSL_KEY_FILE');
  if (!usesTls) {
    for (const [name, set] of [
      ['KAFKA_SSL_CA_FILE', caFile],
      ['KAFKA_SSL_CERT_FILE', certFile],
      ['KAFKA_SSL_KEY_FILE', keyFile],
    ] as const) {
      if (set !== undefined)
        problem(name, `set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no TLS (use SSL or SASL_SSL)`);
    }
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problem(
      certFile === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE',
      'a client certificate (mTLS) needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE',
    );
  }

  const mechanismRaw = value('KAFKA_SASL_MECHANISM')?.toUpperCase();
  const saslNames = [
    'KAFKA_SASL_USERNAME',
    'KAFKA_SASL_PASSWORD_FILE',
    'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
    'KAFKA_SASL_OAUTHBEARER_CLIENT_ID',
    'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
    'KAFKA_SASL_OAUTHBEARER_SCOPE',
  ] as const;
  let sasl: KafkaSaslConfig | undefined;
  if (!usesSasl) {
    if (mechanismRaw !== undefined)
      problem('KAFKA_SASL_MECHANISM', `set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no SASL (use SASL_SSL)`);
    for (const name of saslNames) {
      if (value(name) !== undefined)
        problem(name, `set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no SASL (use SASL_SSL)`);
    }
  } else {
    const mechanism = saslMechanisms.find((m) => m === mechanismRaw);
    if (mechanism === undefined) {
      problem(
        'KAFKA_SASL_MECHANISM',
        mechanismRaw === undefined
          ? `missing: KAFKA_SECURITY_PROTOCOL=${protocol} needs one of ${saslMechanisms.join(', ')}`
          : `"${mechanismRaw}": expected one of ${saslMechanisms.join(', ')}`,
      );
    } else if (mechanism === 'OAUTHBEARER') {
      sasl = parseOauthBearer(value, problem);
    } else {
      const username = value('KAFKA_SASL_USERNAME');
      const passwordFile = value('KAFKA_SASL_PASSWORD_FILE');
      if (username === undefined) problem('KAFKA_SASL_USERNAME', `missing: ${mechanism} needs a username`);
      if (passwordFile === undefined)
        problem('KAFKA_SASL_PASSWORD_FILE', `missing: ${mechanism} needs the file holding the password`);
      // PLAIN sends the password as it is: only inside TLS, or to a broker on this machine.
      const allLoopback = Array.isArray(brokers) && brokers.every((b) => LOOPBACK.test(b));
      if (mechanism === 'PLAIN' && protocol === 'SASL_PLAINTEXT' && !allLoopback)
        problem(
          'KAFKA_SECURITY_PROTOCOL',
          'SASL_PLAINTEXT with PLAIN would send the password in clear over the network: use SASL_SSL',
        );
      if (username !== undefined && passwordFile !== undefined) sasl = { mechanism, username, passwordFile };
    }
  }
  return Object.freeze({
    protocol,
    tls: usesTls ? Object.freeze({ caFile, certFile, keyFile }) : undefined,
    sasl,
  });
}

function parseOauthBearer(value: (name: string) => string | undefined, problem: Problem): KafkaSaslConfig | undefined {
  const endpointRaw = value('KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL');
  const clientId = value('KAFKA_SASL_OAUTHBEARER_CLIENT_ID');
  const clientSecretFile = value('KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE');
  let tokenEndpoint: URL | undefined;
  if (endpointRaw === undefined) {
    problem(
      'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
      'missing: OAUTHBEARER needs the token endpoint of the provider',
    );
  } else {
    try {
      tokenEndpoint = new URL(endpointRaw);
    } catch {
      problem('KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL', `"${endpointRaw}": not a URL`);
    }
    const loopback = tokenEndpoint !== undefined && isLoopbackHostname(tokenEndpoint.hostname);
    if (
      tokenEndpoint !== undefined &&
      tokenEndpoint.protocol !== 'https:' &&
      !(tokenEndpoint.protocol === 'http:' && loopback)
    ) {
      problem(
        'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
        `"${endpointRaw}": expected https:// (http only on this machine)`,
      );
      tokenEndpoint = undefined;
    }
  }
  if (clientId === undefined) problem('KAFKA_SASL_OAUTHBEARER_CLIENT_ID', 'missing: OAUTHBEARER needs the client id');
  if (clientSecretFile === undefined)
    problem(
      'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
      'missing: OAUTHBEARER needs the file holding the client secret',
    );
  if (tokenEndpoint === undefined || clientId === undefined || clientSecretFile === undefined) return undefined;
  return {
    mechanism: 'OAUTHBEARER',
    tokenEndpoint,
    clientId,
    clientSecretFile,
    scope: value('KAFKA_SASL_OAUTHBEARER_SCOPE'),
  };
}

/** A file the configuration names, read now; a failure names the variable and the path, never the content. */
async function readNamed(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KafkaSecurityError(`${variable}: cannot read ${file} (${code})`);
  }
}

export class KafkaSecurityError extends Error {
  readonly code = 'CEL_ERR_KAFKA_SECURITY';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'KafkaSecurityError';
  }
}

/** A client-credentials access token for OAUTHBEARER, fetched again a minute before it expires. */
export function clientCredentialsProvider(
  sasl: Extract<KafkaSaslConfig, { mechanism: 'OAUTHBEARER' }>,
  secret: string,
  now: () => number = Date.now,
): () => Promise<{ value: string }> {
  let cached: { value: string; expiresAt: number } | undefined;
  return async () => {
    if (cached !== undefined && cached.expiresAt - 60_000 > now()) return { value: cached.value };
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sasl.clientId,
      client_secret: secret,
    });
    if (sasl.scope !== undefined) body.set('scope', sasl.scope);
    const response = await fetch(sasl.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    // RFC 6749 §5.2: a refused client is 400 or 401 with `invalid_client` (or `unauthorized_client`).
    if (
      (response.status === 400 || response.status === 401) &&
      (answer.error === 'invalid_client' || answer.error === 'unauthorized_client')
    )
      throw new KafkaSecurityError(
        `the token endpoint (KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL) answered ${response.status} ${answer.error}: check KAFKA_SASL_OAUTHBEARER_CLIENT_ID ("${sasl.clientId}") and KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE`,
      );
    if (!response.ok || typeof answer.access_token !== 'string')
      throw new KafkaSecurityError(
        `KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: the token endpoint answered ${response.status} without an access token`,
      );
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 300_000;
    cached = { value: answer.access_token, expiresAt: now() + lifetime };
    return { value: cached.value };
  };
}

/** The TLS and SASL options every Kafka client of the process is made with, the named files read. */
export async function loadKafkaSecurity(config: KafkaSecurityConfig): Promise<KafkaClientSecurity> {
  let ssl: ConnectionOptions | undefined;
  if (config.tls !== undefined) {
    const { caFile, certFile, keyFile } = config.tls;
    ssl = {
      // Node verifies the broker's certificate and hostname unless told otherwise; it is never told.
      rejectUnauthorized: true,
      ...(caFile === undefined ? {} : { ca: [await readNamed('KAFKA_SSL_CA_FILE', caFile)] }),
      ...(certFile === undefined ? {} : { cert: await readNamed('KAFKA_SSL_CERT_FILE', certFile) }),
      ...(keyFile === undefined ? {} : { key: await readNamed('KAFKA_SSL_KEY_FILE', keyFile) }),
    };
  }
  let sasl: SASLOptions | Mechanism | undefined;
  const s = config.sasl;
  if (s !== undefined) {
    if (s.mechanism === 'OAUTHBEARER') {
      const secret = (await readNamed('KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE', s.clientSecretFile)).trim();
      sasl = oauthBearerMechanism(clientCredentialsProvider(s, secret));
    } else {
      const password = (await readNamed('KAFKA_SASL_PASSWORD_FILE', s.passwordFile)).replace(/\r?\n$/, '');
      const mechanism =
        s.mechanism === 'PLAIN' ? 'plain' : s.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
      const options: SASLOptions = { mechanism, username: s.username, password };
      sasl = options;
    }
  }
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}
