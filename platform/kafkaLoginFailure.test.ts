import { describe, expect, test } from 'vitest';
import { explainKafkaLoginFailure, type KafkaLoginAttempt, loginAttemptOf } from './kafkaLoginFailure.js';

const attempt: KafkaLoginAttempt = {
  brokers: ['kafka-1:9093'],
  protocol: 'SASL_SSL',
  mechanism: 'SCRAM-SHA-512',
  username: 'service',
  clientCertificate: false,
};

/** An error as kafkajs wraps one: its own error around Node's. */
const wrapped = (name: string, message: string, inner?: { message: string; code?: string }) =>
  Object.assign(new Error(message), {
    name,
    ...(inner === undefined ? {} : { originalError: Object.assign(new Error(inner.message), { code: inner.code }) }),
  });

describe('explainKafkaLoginFailure', () => {
  test.each([
    [
      'a refused SASL login names the user and the password file',
      wrapped(
        'KafkaJSSASLAuthenticationError',
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      /refused the SASL login of "service" \(SCRAM-SHA-512\).*KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE/,
    ],
    [
      'a mechanism the listener does not enable names KAFKA_SASL_MECHANISM',
      wrapped('KafkaJSSASLAuthenticationError', 'SASL PLAIN mechanism is not enabled on the broker'),
      /does not offer the SASL mechanism SCRAM-SHA-512: set KAFKA_SASL_MECHANISM/,
    ],
    [
      'an untrusted certificate names KAFKA_SSL_CA_FILE',
      wrapped('KafkaJSNonRetriableError', 'Connection error: self-signed certificate in certificate chain', {
        message: 'self-signed certificate in certificate chain',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      /is not trusted: set KAFKA_SSL_CA_FILE/,
    ],
    [
      'a certificate for another host says host-name checking stays on',
      wrapped(
        'KafkaJSConnectionError',
        "Hostname/IP does not match certificate's altnames: Host: kafka-1. is not in the cert's altnames: DNS:localhost",
        {
          message: "Hostname/IP does not match certificate's altnames",
          code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        },
      ),
      /does not name the host connected to.*host-name checking stays on/,
    ],
    [
      'a broker that wants a client certificate names the certificate variables',
      wrapped('KafkaJSConnectionError', 'Connection error: tlsv13 alert certificate required'),
      /requires a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    ],
    [
      'TLS to a plain listener names KAFKA_SECURITY_PROTOCOL',
      wrapped('KafkaJSConnectionError', 'Connection error: wrong version number', {
        message: 'wrong version number',
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      }),
      /does not speak TLS on that port: KAFKA_SECURITY_PROTOCOL is SASL_SSL/,
    ],
    [
      'nothing listening names KAFKA_BROKERS',
      wrapped('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9093', {
        message: 'connect ECONNREFUSED',
        code: 'ECONNREFUSED',
      }),
      /nothing listens at kafka-1:9093: check KAFKA_BROKERS/,
    ],
    [
      'a closed connection suggests the protocol',
      wrapped('KafkaJSConnectionClosedError', 'Closed connection'),
      /closed the connection before answering: KAFKA_SECURITY_PROTOCOL \(SASL_SSL\) may not match/,
    ],
    [
      'a timeout suggests the addresses and the protocol',
      new Error('timed out after 10000 ms'),
      /did not answer in time: check KAFKA_BROKERS, and that KAFKA_SECURITY_PROTOCOL/,
    ],
  ])('%s', (_, error, expected) => {
    expect(explainKafkaLoginFailure(error, attempt)).toMatch(expected);
  });

  test('a client certificate that was offered and refused names the certificate files to check', () => {
    const error = wrapped('KafkaJSConnectionError', 'Connection error: sslv3 alert handshake failure');
    expect(explainKafkaLoginFailure(error, { ...attempt, clientCertificate: true })).toMatch(
      /did not accept the client certificate: check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    );
  });

  test('anything else still names the brokers and the protocol, with the reason', () => {
    expect(explainKafkaLoginFailure(new Error('something odd'), attempt)).toBe(
      'could not log in to Kafka at kafka-1:9093 (SASL_SSL, SCRAM-SHA-512): something odd',
    );
  });
});

describe('loginAttemptOf', () => {
  test('takes the protocol, mechanism, user and whether a client certificate is offered from the configuration', () => {
    expect(
      loginAttemptOf(['k:9093'], {
        protocol: 'SASL_SSL',
        tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' },
        sasl: { mechanism: 'PLAIN', username: 'api-key', passwordFile: '/secret' },
      }),
    ).toEqual({
      brokers: ['k:9093'],
      protocol: 'SASL_SSL',
      mechanism: 'PLAIN',
      username: 'api-key',
      clientCertificate: true,
    });
    expect(loginAttemptOf(['k:9092'], { protocol: 'PLAINTEXT', tls: undefined, sasl: undefined })).toEqual({
      brokers: ['k:9092'],
      protocol: 'PLAINTEXT',
      clientCertificate: false,
    });
  });
});
