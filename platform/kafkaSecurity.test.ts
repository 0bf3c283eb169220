/**
 * Kafka client security from configuration: each protocol and mechanism, the combinations
 * refused at start (naming the variable), files read without their content ever reaching an
 * error, and the OAUTHBEARER client-credentials token fetched once and again before expiry.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { clientCredentialsProvider, loadKafkaSecurity, parseKafkaSecurity } from './kafkaSecurity.js';

function parse(env: Record<string, string>, brokers: readonly string[] = ['kafka.example:9093']) {
  const problems: string[] = [];
  const config = parseKafkaSecurity(
    (name) => env[name],
    (variable, message) => problems.push(`${variable}: ${message}`),
    brokers,
  );
  return { config, problems };
}

describe('parseKafkaSecurity', () => {
  test('nothing set is PLAINTEXT', () => {
    expect(parse({})).toEqual({ config: { protocol: 'PLAINTEXT', tls: undefined, sasl: undefined }, problems: [] });
  });

  test('SASL_SSL with SCRAM-SHA-512, a CA and a password file', () => {
    expect(
      parse({
        KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'cel-service',
        KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka',
        KAFKA_SSL_CA_FILE: '/etc/ca.pem',
      }),
    ).toEqual({
      config: {
        protocol: 'SASL_SSL',
        tls: { caFile: '/etc/ca.pem', certFile: undefined, keyFile: undefined },
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'cel-service', passwordFile: '/run/secrets/kafka' },
      },
      problems: [],
    });
  });

  test('OAUTHBEARER needs a token endpoint (https), a client id and a secret file', () => {
    const { problems } = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
      KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: 'http://idp.example/token',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: .*expected https/),
      expect.stringMatching(/^KAFKA_SASL_OAUTHBEARER_CLIENT_ID: missing/),
      expect.stringMatching(/^KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE: missing/),
    ]);
  });

  test.each([
    {
      name: 'an unknown protocol',
      env: { KAFKA_SECURITY_PROTOCOL: 'TLS' },
      problem: /^KAFKA_SECURITY_PROTOCOL: "TLS": expected one of/,
    },
    {
      name: 'SASL without a mechanism',
      env: { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' },
      problem: /^KAFKA_SASL_MECHANISM: missing/,
    },
    {
      name: 'a mechanism without SASL',
      env: { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SASL_MECHANISM: 'PLAIN' },
      problem: /^KAFKA_SASL_MECHANISM: set, but KAFKA_SECURITY_PROTOCOL=SSL uses no SASL/,
    },
    {
      name: 'a CA file without TLS',
      env: { KAFKA_SSL_CA_FILE: '/ca.pem' },
      problem: /^KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT uses no TLS/,
    },
    {
      name: 'a client certificate without its key',
      env: { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: '/c.pem' },
      problem: /^KAFKA_SSL_KEY_FILE: a client certificate \(mTLS\) needs both/,
    },
    {
      name: 'PLAIN over SASL_PLAINTEXT to a remote broker',
      env: {
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: '/p',
      },
      problem: /^KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT with PLAIN would send the password in clear/,
    },
    {
      name: 'a password given without a file',
      env: { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'u' },
      problem: /^KAFKA_SASL_PASSWORD_FILE: missing/,
    },
  ])('$name is refused, naming the variable', ({ env, problem }) => {
    expect(parse(env).problems).toContainEqual(expect.stringMatching(problem));
  });

  test('PLAIN over SASL_PLAINTEXT is allowed to a broker on this machine', () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: '/p',
    };
    expect(parse(env, ['127.0.0.1:19092']).problems).toEqual([]);
  });
});

describe('loadKafkaSecurity', () => {
  test('reads the files into TLS and SASL options; a missing file names the variable, not the secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-kafka-security-'));
    await writeFile(join(dir, 'ca.pem'), 'CA PEM');
    await writeFile(join(dir, 'password'), 's3cret\n');
    const { config } = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
      KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
    });
    expect(await loadKafkaSecurity(config)).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['CA PEM'] },
      sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 's3cret' },
    });
    const missing = parse({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'nope'),
    }).config;
    await expect(loadKafkaSecurity(missing)).rejects.toThrow(
      /^KAFKA_SASL_PASSWORD_FILE: cannot read .*nope \(ENOENT\)$/,
    );
  });

  test('OAUTHBEARER: a client-credentials token, fetched once and again a minute before it expires', async () => {
    let calls = 0;
    const forms: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        calls += 1;
        forms.push(body);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ access_token: `token-${calls}`, token_type: 'Bearer', expires_in: 300 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      let now = 1_000_000;
      const provide = clientCredentialsProvider(
        {
          mechanism: 'OAUTHBEARER',
          tokenEndpoint: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`),
          clientId: 'cel-service',
          clientSecretFile: '/unused',
          scope: 'kafka',
        },
        'the-secret',
        () => now,
      );
      expect(await provide()).toEqual({ value: 'token-1' });
      now += 200_000;
      expect(await provide()).toEqual({ value: 'token-1' });
      now += 50_000; // within a minute of expiry
      expect(await provide()).toEqual({ value: 'token-2' });
      expect(new URLSearchParams(forms[0])).toEqual(
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'cel-service',
          client_secret: 'the-secret',
          scope: 'kafka',
        }),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
