/**
 * Why a Kafka client could not log in, in an operator's words: the failure kafkajs and Node's
 * TLS give (an authentication error, a certificate the client does not trust, a listener that
 * speaks another protocol …) turned into a sentence that names the setting to fix. Pure.
 */
import type { KafkaSecurityConfig } from './kafkaSecurity.js';

/** What the client was told to do (from the configuration), for the explanation. */
export type KafkaLoginAttempt = {
  readonly brokers: readonly string[];
  readonly protocol: string;
  readonly mechanism?: string;
  readonly username?: string;
  /** Whether a client certificate was offered (KAFKA_SSL_CERT_FILE). */
  readonly clientCertificate?: boolean;
};

/** What the configuration asked for, in the terms of an explanation. */
export function loginAttemptOf(brokers: readonly string[], config: KafkaSecurityConfig): KafkaLoginAttempt {
  return {
    brokers,
    protocol: config.protocol,
    ...(config.sasl === undefined ? {} : { mechanism: config.sasl.mechanism }),
    ...(config.sasl === undefined
      ? {}
      : { username: config.sasl.mechanism === 'OAUTHBEARER' ? config.sasl.clientId : config.sasl.username }),
    clientCertificate: config.tls?.certFile !== undefined,
  };
}

/** The messages and codes of an error and every error it wraps (`cause`, kafkajs' `originalError`). */
function chainOf(error: unknown): { readonly names: string[]; readonly text: string; readonly codes: string[] } {
  const names: string[] = [];
  const messages: string[] = [];
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    if (typeof current === 'object') {
      const e = current as {
        name?: unknown;
        message?: unknown;
        code?: unknown;
        cause?: unknown;
        originalError?: unknown;
      };
      if (typeof e.name === 'string') names.push(e.name);
      if (typeof e.message === 'string') messages.push(e.message);
      if (typeof e.code === 'string') codes.push(e.code);
      current = e.originalError ?? e.cause;
    } else {
      messages.push(String(current));
      current = undefined;
    }
  }
  return { names, text: messages.join(' | '), codes };
}

const TRUST_FAILURES = [
  'self-signed certificate',
  'self signed certificate',
  'unable to verify the first certificate',
  'unable to get local issuer certificate',
  'certificate signature failure',
  'certificate has expired',
  'certificate is not yet valid',
];

export function explainKafkaLoginFailure(error: unknown, attempt: KafkaLoginAttempt): string {
  const { names, text, codes } = chainOf(error);
  const lower = text.toLowerCase();
  const at = attempt.brokers.join(',');
  const reason = text.split(' | ').at(-1) ?? text;

  // The OAUTHBEARER token provider could not get a token (platform/kafkaSecurity.ts says why, naming the variables).
  if (names.includes('KafkaSecurityError'))
    return `could not get an access token to log in to Kafka at ${at}: ${reason}`;
  if (names.includes('KafkaJSSASLAuthenticationError')) {
    if (/mechanism/i.test(text) && /(not|un)\s*(enabled|supported)/i.test(text))
      return `Kafka at ${at} does not offer the SASL mechanism ${attempt.mechanism ?? '?'}: set KAFKA_SASL_MECHANISM to one its listener enables (${reason})`;
    if (attempt.mechanism === 'OAUTHBEARER')
      return `Kafka at ${at} refused the OAUTHBEARER token of "${attempt.username ?? '?'}": the broker does not trust its issuer or signing key, or it is not for the broker's audience; check that KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL is the provider the broker validates tokens from (${reason})`;
    return `Kafka at ${at} refused the SASL login of "${attempt.username ?? '?'}" (${attempt.mechanism ?? 'SASL'}): wrong user name or password; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE (${reason})`;
  }
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID') || lower.includes('does not match certificate'))
    return `the certificate of Kafka at ${at} does not name the host connected to: connect by a name the broker's certificate carries (KAFKA_BROKERS); host-name checking stays on (${reason})`;
  if (TRUST_FAILURES.some((failure) => lower.includes(failure)))
    return `the TLS certificate of Kafka at ${at} is not trusted: set KAFKA_SSL_CA_FILE to the CA that issued it (${reason})`;
  // TLS 1.3 brokers say `certificate required` (116); Java's TLS says `bad certificate` (42) for a
  // missing client certificate as for an untrusted one, and `unknown ca` (48) or `certificate unknown` (46).
  if (
    lower.includes('certificate required') ||
    lower.includes('alert number 116') ||
    lower.includes('alert bad certificate') ||
    lower.includes('alert number 42') ||
    lower.includes('alert unknown ca') ||
    lower.includes('alert certificate unknown') ||
    lower.includes('handshake failure')
  )
    return attempt.clientCertificate === true
      ? `Kafka at ${at} did not accept the client certificate: check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE against the CA the broker trusts (${reason})`
      : `Kafka at ${at} requires a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE (${reason})`;
  if (
    lower.includes('wrong version number') ||
    lower.includes('packet length too long') ||
    codes.includes('ERR_SSL_WRONG_VERSION_NUMBER')
  )
    return `Kafka at ${at} does not speak TLS on that port: KAFKA_SECURITY_PROTOCOL is ${attempt.protocol}, the listener is plain (PLAINTEXT or SASL_PLAINTEXT) (${reason})`;
  if (codes.includes('ECONNREFUSED') || lower.includes('econnrefused'))
    return `nothing listens at ${at}: check KAFKA_BROKERS and that the brokers run (${reason})`;
  if (codes.includes('ENOTFOUND') || lower.includes('enotfound') || lower.includes('getaddrinfo'))
    return `a broker address in KAFKA_BROKERS (${at}) does not resolve (${reason})`;
  if (
    names.includes('KafkaJSConnectionClosedError') ||
    lower.includes('closed connection') ||
    lower.includes('socket hang up') ||
    lower.includes('econnreset')
  )
    return `Kafka at ${at} closed the connection before answering: KAFKA_SECURITY_PROTOCOL (${attempt.protocol}) may not match the listener, or it wants a client certificate (${reason})`;
  if (names.some((n) => n.includes('Timeout')) || lower.includes('timeout') || lower.includes('timed out'))
    return `Kafka at ${at} did not answer in time: check KAFKA_BROKERS, and that KAFKA_SECURITY_PROTOCOL (${attempt.protocol}) matches the listener (${reason})`;
  return `could not log in to Kafka at ${at} (${attempt.protocol}${attempt.mechanism === undefined ? '' : `, ${attempt.mechanism}`}): ${reason}`;
}
