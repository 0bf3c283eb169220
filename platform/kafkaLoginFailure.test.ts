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
  const oauth: KafkaLoginAttempt = { ...attempt, mechanism: 'OAUTHBEARER', username: 'service' };

  test('a refused OAUTHBEARER token names the token endpoint, not a password', () => {
    const message = explainKafkaLoginFailure(
      wrapped(
        'KafkaJSSASLAuthenticationError',
        'SASL OAUTHBEARER authentication failed at kafka-1:9093: the broker refused the token (status "invalid_token")',
      ),
      oauth,
    );
    expect(message).toMatch(/refused the OAUTHBEARER token of "service".*KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL/);
    expect(message).not.toContain('KAFKA_SASL_PASSWORD_FILE');
  });

  test('a token endpoint that refuses the client says so, as the token provider put it', () => {
    const refused = Object.assign(
      new Error(
        'the token endpoint (KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL) answered 401 invalid_client: check KAFKA_SASL_OAUTHBEARER_CLIENT_ID ("service") and KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
      ),
      { name: 'KafkaSecurityError' },
    );
    const message = explainKafkaLoginFailure(
      Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError', originalError: refused }),
      oauth,
    );
    expect(message).toMatch(
      /^could not get an access token.*answered 401 invalid_client.*KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE/,
    );
  });

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
      "Java's answer to a missing client certificate (bad certificate, alert 42) names the certificate variables",
      wrapped(
        'KafkaJSConnectionError',
        'Connection error: 40AD8F9AB77F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 42',
      ),
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
