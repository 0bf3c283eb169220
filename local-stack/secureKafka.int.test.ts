/**
 * A secured local Kafka (SASL_SSL with SCRAM, PLAIN and OAUTHBEARER, an mTLS listener, the
 * stack's own CA, ACLs): the principals get what aclPolicy.ts grants and nothing else, whichever
 * way they log in, and clients without a valid password, token or client certificate, without
 * TLS or without the CA do not get in. One secured node for the whole file; a token endpoint of
 * the test plays the OIDC provider, issuing tokens signed with the development issuer's key.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Kafka, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DevSigningKey, loadOrCreateDevKey, mintDevToken } from '../auth/devIssuer.js';
import { checkKafkaLogin, createKafkaClient } from '../platform/kafka.js';
import { loginAttemptOf } from '../platform/kafkaLoginFailure.js';
import { type KafkaClientSecurity, loadKafkaSecurity, parseKafkaSecurity } from '../platform/kafkaSecurity.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { createThrowawayCa } from '../test/support/throwawayCa.js';
import { ensureStackSecurity, loadStackSecurity, type StackSecurity, securityFiles } from './certificates.js';
import {
  bootstrapOf,
  type ClusterLayout,
  kafkaClusterStatus,
  mtlsBootstrapOf,
  startKafkaCluster,
  stopKafkaCluster,
} from './kafkaCluster.js';
import { applyStackAcls } from './secureKafkaClient.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

const ns = 'sectest';
const clinicalEvents = `${ns}.clinical-events`;
const rawReceipts = `${ns}.raw-receipts`;

let dir: string;
let layout: ClusterLayout;
let security: StackSecurity;
let brokers: string[];
/** The mTLS listener (SSL, client certificate required). */
let mtlsBrokers: string[];
/** The test's OAuth2 token endpoint (client credentials), and what it signs with. */
let tokenEndpoint: string;
let tokenServer: Server | undefined;
let signingKey: DevSigningKey;
const clientSecrets: Record<string, string> = {
  service: 'service-client-secret',
  subscriber: 'subscriber-client-secret',
};

/**
 * A client-credentials token endpoint as an OIDC provider has one: the client id and secret in
 * the form body, an access token for `sub` = the client id, signed with `signingKey`.
 */
function startTokenEndpoint(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const clientId = form.get('client_id') ?? '';
      const answer = (status: number, content: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(content));
      };
      if (
        request.method !== 'POST' ||
        request.url !== '/token' ||
        form.get('grant_type') !== 'client_credentials' ||
        clientSecrets[clientId] === undefined ||
        form.get('client_secret') !== clientSecrets[clientId]
      ) {
        answer(401, { error: 'invalid_client' });
        return;
      }
      void mintDevToken(signingKey, { role: 'integration', sub: clientId, clientId, ttlSeconds: 300 }).then(
        (token) => answer(200, { access_token: token, token_type: 'Bearer', expires_in: 300 }),
        (error: unknown) => answer(500, { error: String(error) }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cel-secure-kafka-'));
  layout = await startKafkaCluster({
    dir: join(dir, 'kafka'),
    version: inject('kafkaVersion'),
    jarsDir: inject('kafkaJarsDir'),
    brokerCount: 1,
    securityDir: join(dir, 'security'),
  });
  brokers = bootstrapOf(layout).split(',');
  mtlsBrokers = (mtlsBootstrapOf(layout) ?? '').split(',');
  security = await loadStackSecurity(join(dir, 'security'));
  await applyStackAcls({ brokers, security, namespace: ns });
  // The broker trusts the development issuer under `dir` (the parent of the security directory).
  signingKey = await loadOrCreateDevKey(dir);
  tokenServer = await startTokenEndpoint();
  tokenEndpoint = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
}, 180_000);

afterAll(async () => {
  await new Promise((resolve) => (tokenServer === undefined ? resolve(undefined) : tokenServer.close(resolve)));
  if (layout !== undefined) await stopKafkaCluster(layout);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A kafkajs client as a downstream user would configure it: the CA's PEM and SCRAM-SHA-512. */
function clientAs(username: string, password: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new KafkaClient({
    clientId: `secure-test-${username}`,
    brokers,
    ssl: { ca: [security.caPem] },
    sasl: { mechanism: 'scram-sha-512', username, password },
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
    ...overrides,
  });
}
const serviceClient = () => clientAs('service', security.passwords.service);
const subscriberClient = () => clientAs('subscriber', security.passwords.subscriber);

/** Every value on `topic` read by `groupId`, once `expected` have arrived. */
async function readValues(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<string[]> {
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    await expect.poll(() => values.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(expected);
    return values;
  } finally {
    await consumer.disconnect();
  }
}

/** `kafka`'s principal reads the clinical events with `groupId`, and is refused a write to them. */
async function readsButCannotWrite(kafka: Kafka, groupId: string): Promise<void> {
  expect(await readValues(kafka, clinicalEvents, groupId, 1)).toContain('event-1');
  const producer = kafka.producer();
  await producer.connect();
  try {
    const refused = await failureOf(() =>
      producer.send({ topic: clinicalEvents, acks: -1, messages: [{ value: 'forged' }] }),
    );
    expect(refused.type).toBe('TOPIC_AUTHORIZATION_FAILED');
  } finally {
    await producer.disconnect();
  }
}

/** The error `work` fails with (the test fails if it does not). */
async function failureOf(work: () => Promise<unknown>): Promise<{ name: string; type?: string; message: string }> {
  try {
    await work();
  } catch (error) {
    return error as { name: string; type?: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('a secured local Kafka', () => {
  test('the security files are private and the layout remembers that the cluster is secured', async () => {
    expect(layout.security).toEqual({ dir: join(dir, 'security'), issuerDir: dir });
    for (const file of [
      'service.password',
      'service.properties',
      'service.json',
      'broker.keystore.p12',
      'ca.key',
      'service.client-cert.pem',
      'service.client-key.pem',
    ]) {
      expect(((await stat(join(dir, 'security', file))).mode & 0o777).toString(8), file).toBe('600');
    }
    expect(
      (await readFile(join(dir, 'kafka', 'node-1', 'server.properties'), 'utf8')).includes(security.passwords.service),
    ).toBe(true);
    expect(((await stat(join(dir, 'kafka', 'node-1', 'server.properties'))).mode & 0o777).toString(8)).toBe('600');
    // The broker gets the issuer's public key only.
    const jwks = JSON.parse(await readFile(securityFiles(join(dir, 'security')).jwksFile, 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys.map((k) => [k.kid, k.d])).toEqual([[signingKey.kid, undefined]]);
    expect(mtlsBrokers).toEqual([`127.0.0.1:${layout.nodes[0]?.mtlsPort}`]);
    expect((await kafkaClusterStatus(layout)).mtlsBootstrap).toBe(mtlsBrokers.join(','));
    expect((await kafkaClusterStatus(layout)).up).toBe(true);
  });

  test('the service principal creates its topics, produces and consumes with a group under the namespace', async () => {
    const kafka = serviceClient();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [clinicalEvents, rawReceipts].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      // Nothing outside the namespace.
      const outside = await failureOf(() =>
        admin.createTopics({ topics: [{ topic: 'elsewhere.events', numPartitions: 1, replicationFactor: 1 }] }),
      );
      expect(JSON.stringify(outside)).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: clinicalEvents, acks: -1, messages: [{ key: 'k', value: 'event-1' }] });
      await producer.send({ topic: rawReceipts, acks: -1, messages: [{ key: 'k', value: 'receipt-1' }] });
    } finally {
      await producer.disconnect();
    }
    expect(await readValues(kafka, clinicalEvents, `${ns}.service-reader`, 1)).toEqual(['event-1']);
  });

  test('the subscriber reads the clinical events with a subscriber.* group, and may not write them', async () => {
    await readsButCannotWrite(subscriberClient(), 'subscriber.x');
  });

  test('the subscriber may not read the raw receipts, nor use a group outside subscriber.*', async () => {
    const kafka = subscriberClient();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await failureOf(() => admin.fetchTopicOffsets(rawReceipts));
      expect(offsets.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId: `${ns}.not-yours` });
    try {
      await consumer.connect();
      const joined = await failureOf(async () => {
        await consumer.subscribe({ topic: clinicalEvents, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
          consumer.on(consumer.events.GROUP_JOIN, () => resolve());
          void consumer.run({ eachMessage: async () => undefined }).catch(reject);
        });
      });
      // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs reports
      // it as a coordinator it could not find (a subscriber.* group joins: the test above).
      expect(joined.name).toBe('KafkaJSGroupCoordinatorNotFound');
    } finally {
      await consumer.disconnect();
    }
  });

  test('a wrong password fails SASL authentication', async () => {
    const admin = clientAs('service', 'not-the-password', { retry: { retries: 0 } }).admin();
    const refused = await failureOf(() => admin.connect());
    expect(refused.name).toBe('KafkaJSSASLAuthenticationError');
    await admin.disconnect();
  });

  test('a plaintext client without credentials cannot connect', async () => {
    const admin = createKafkaClient({ brokers, clientId: 'secure-test-anonymous', failFast: true }).admin();
    const refused = await failureOf(() => admin.connect());
    expect(refused.name).toMatch(/^KafkaJS(Connection|NumberOfRetriesExceeded|Request)/);
    await admin.disconnect();
  });

  test('a cluster created plain is not secured behind its back', async () => {
    const plainDir = join(dir, 'plain');
    await mkdir(plainDir);
    const plainLayout = { ...layout, dir: plainDir, security: undefined };
    await writeFile(join(plainDir, 'cluster.json'), JSON.stringify(plainLayout));
    await expect(
      startKafkaCluster({
        dir: plainDir,
        version: layout.version,
        jarsDir: layout.jarsDir,
        brokerCount: 1,
        securityDir: join(dir, 'security'),
      }),
    ).rejects.toThrow(/without security/);
  });

  test('a client that does not trust the stack CA fails the TLS handshake', async () => {
    const admin = clientAs('service', security.passwords.service, { ssl: true, retry: { retries: 0 } }).admin();
    const refused = await failureOf(() => admin.connect());
    expect(refused.name).toMatch(/^KafkaJS(Connection|NumberOfRetriesExceeded)/);
    expect(refused.message).toContain('self-signed certificate in certificate chain');
    await admin.disconnect();
  });

  /** The service's start-up login check, configured from environment variables as the service reads them. */
  async function loginAs(
    env: Readonly<Record<string, string>>,
    at: readonly string[] = brokers,
  ): Promise<string | undefined> {
    const problems: string[] = [];
    const config = parseKafkaSecurity(
      (name) => env[name],
      (variable, message) => problems.push(`${variable}: ${message}`),
      at,
    );
    expect(problems).toEqual([]);
    try {
      await checkKafkaLogin(loginAttemptOf(at, config), await loadKafkaSecurity(config), 10_000);
      return undefined;
    } catch (error) {
      expect((error as { code?: string }).code).toBe('CEL_ERR_KAFKA_LOGIN');
      return (error as Error).message;
    }
  }

  const secretFile = async (name: string, content: string) => {
    const file = join(dir, name);
    await writeFile(file, content, { mode: 0o600 });
    return file;
  };

  test('the start-up login check: each supported SCRAM mechanism gets in; a wrong password, a wrong CA and a plaintext client each name what to fix', async () => {
    const files = securityFiles(join(dir, 'security'));
    const asService = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'service',
      KAFKA_SASL_PASSWORD_FILE: files.passwordFile('service'),
      KAFKA_SSL_CA_FILE: files.caFile,
    };
    expect(await loginAs(asService)).toBeUndefined();
    expect(await loginAs({ ...asService, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' })).toBeUndefined();

    const wrongPassword = await loginAs({
      ...asService,
      KAFKA_SASL_PASSWORD_FILE: await secretFile('wrong.password', 'not-the-password\n'),
    });
    expect(wrongPassword).toMatch(/refused the SASL login of "service" \(SCRAM-SHA-512\)/);
    expect(wrongPassword).toContain('KAFKA_SASL_PASSWORD_FILE');

    // A CA of its own that did not issue the broker's certificate.
    const otherCa = createThrowawayCa();
    try {
      const wrongCa = await loginAs({ ...asService, KAFKA_SSL_CA_FILE: otherCa.caFile });
      expect(wrongCa).toMatch(/is not trusted: set KAFKA_SSL_CA_FILE/);
    } finally {
      otherCa.remove();
    }

    const plaintext = await loginAs({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' });
    expect(plaintext).toMatch(/KAFKA_SECURITY_PROTOCOL \(PLAINTEXT\)/);
  });

  /** The client options the service would make from `env` (after its login check passed). */
  async function clientSecurityOf(
    env: Readonly<Record<string, string>>,
    at: readonly string[],
  ): Promise<KafkaClientSecurity> {
    const config = parseKafkaSecurity(
      (name) => env[name],
      (variable, message) => {
        throw new Error(`${variable}: ${message}`);
      },
      at,
    );
    return loadKafkaSecurity(config);
  }

  /** Produces `value` to the clinical events as whoever `clientSecurity` logs in as, and reads it back. */
  async function roundTrip(clientSecurity: KafkaClientSecurity, at: readonly string[], value: string, groupId: string) {
    const kafka = createKafkaClient({ brokers: at, clientId: `secure-test-${groupId}`, security: clientSecurity });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: clinicalEvents, acks: -1, messages: [{ key: 'k', value }] });
    } finally {
      await producer.disconnect();
    }
    return readValues(kafka, clinicalEvents, groupId, 1);
  }

  /** The subscriber, logged in as `clientSecurity` says, may read the clinical events and not write them. */
  async function subscriberCannotWrite(clientSecurity: KafkaClientSecurity, at: readonly string[], groupId: string) {
    const kafka = createKafkaClient({ brokers: at, clientId: `secure-test-${groupId}`, security: clientSecurity });
    await readsButCannotWrite(kafka, groupId);
  }

  test('PLAIN inside TLS: the service logs in with its password, produces and consumes; a wrong password names the files', async () => {
    const files = securityFiles(join(dir, 'security'));
    const asService = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'service',
      KAFKA_SASL_PASSWORD_FILE: files.passwordFile('service'),
      KAFKA_SSL_CA_FILE: files.caFile,
    };
    expect(await loginAs(asService)).toBeUndefined();
    expect(
      await roundTrip(await clientSecurityOf(asService, brokers), brokers, 'plain-1', `${ns}.plain-reader`),
    ).toContain('plain-1');
    const wrong = await loginAs({
      ...asService,
      KAFKA_SASL_PASSWORD_FILE: await secretFile('wrong-plain.password', 'not-the-password\n'),
    });
    expect(wrong).toMatch(/refused the SASL login of "service" \(PLAIN\).*KAFKA_SASL_PASSWORD_FILE/);
  });

  const oauthEnv = async (clientId: string, secret: string) => ({
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
    KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL: tokenEndpoint,
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: clientId,
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE: await secretFile(`${clientId}-${secret.length}.secret`, `${secret}\n`),
    KAFKA_SSL_CA_FILE: securityFiles(join(dir, 'security')).caFile,
  });

  test('OAUTHBEARER: a client-credentials token of the issuer the broker trusts logs the service in (sub = principal); it produces and consumes', async () => {
    const asService = await oauthEnv('service', clientSecrets.service ?? '');
    expect(await loginAs(asService)).toBeUndefined();
    expect(
      await roundTrip(await clientSecurityOf(asService, brokers), brokers, 'oauth-1', `${ns}.oauth-reader`),
    ).toContain('oauth-1');
  });

  test('OAUTHBEARER: the subscriber gets its own ACLs, so may read the clinical events and not write them', async () => {
    const asSubscriber = await oauthEnv('subscriber', clientSecrets.subscriber ?? '');
    await subscriberCannotWrite(await clientSecurityOf(asSubscriber, brokers), brokers, 'subscriber.oauth');
  });

  test('OAUTHBEARER: a token signed by another key is refused, and a refused client secret names the token endpoint', async () => {
    const asService = await oauthEnv('service', clientSecrets.service ?? '');
    const trusted = signingKey;
    signingKey = await loadOrCreateDevKey(join(dir, 'another-issuer'));
    try {
      const forged = await loginAs(asService);
      expect(forged).toMatch(/refused the OAUTHBEARER token of "service"/);
      expect(forged).toContain('KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL');
    } finally {
      signingKey = trusted;
    }
    const wrongSecret = await loginAs(await oauthEnv('service', 'not-the-secret'));
    expect(wrongSecret).toMatch(/could not get an access token.*answered 401 invalid_client/);
    expect(wrongSecret).toContain('KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE');
  });

  const mtlsEnv = (principal: 'service' | 'subscriber') => {
    const files = securityFiles(join(dir, 'security'));
    return {
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: files.caFile,
      KAFKA_SSL_CERT_FILE: files.clientCertFile(principal),
      KAFKA_SSL_KEY_FILE: files.clientKeyFile(principal),
    };
  };

  test('mTLS: the service logs in with its client certificate (CN=service), produces and consumes', async () => {
    expect(await loginAs(mtlsEnv('service'), mtlsBrokers)).toBeUndefined();
    expect(
      await roundTrip(
        await clientSecurityOf(mtlsEnv('service'), mtlsBrokers),
        mtlsBrokers,
        'mtls-1',
        `${ns}.mtls-reader`,
      ),
    ).toContain('mtls-1');
  });

  test("mTLS: the subscriber's certificate gets the subscriber's ACLs", async () => {
    await subscriberCannotWrite(
      await clientSecurityOf(mtlsEnv('subscriber'), mtlsBrokers),
      mtlsBrokers,
      'subscriber.mtls',
    );
  });

  test('mTLS: no client certificate, or one of another CA, is refused naming KAFKA_SSL_CERT_FILE', async () => {
    const { KAFKA_SSL_CERT_FILE: _cert, KAFKA_SSL_KEY_FILE: _key, ...withoutCertificate } = mtlsEnv('service');
    const missing = await loginAs(withoutCertificate, mtlsBrokers);
    expect(missing).toMatch(/requires a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/);

    const otherCa = createThrowawayCa();
    try {
      const stranger = otherCa.client('service', '/CN=service');
      const untrusted = await loginAs(
        { ...mtlsEnv('service'), KAFKA_SSL_CERT_FILE: stranger.certFile, KAFKA_SSL_KEY_FILE: stranger.keyFile },
        mtlsBrokers,
      );
      expect(untrusted).toMatch(/did not accept the client certificate: check KAFKA_SSL_CERT_FILE/);
    } finally {
      otherCa.remove();
    }
  });

  test('a client certificate missing from a set whose CA key is there is issued at the next start', async () => {
    const securityDir = join(dir, 'security');
    const files = securityFiles(securityDir);
    await rm(files.clientCertFile('subscriber'));
    await rm(files.clientKeyFile('subscriber'));
    expect((await loadStackSecurity(securityDir)).clientCertificates).toBeUndefined();
    const before = await readFile(files.clientCertFile('service'), 'utf8');
    const reissued = await ensureStackSecurity(securityDir, { issueMissing: true });
    expect(reissued.clientCertificates?.subscriber).toEqual({
      certFile: files.clientCertFile('subscriber'),
      keyFile: files.clientKeyFile('subscriber'),
    });
    expect(((await stat(files.clientKeyFile('subscriber'))).mode & 0o777).toString(8)).toBe('600');
    // The others are kept as they were.
    expect(await readFile(files.clientCertFile('service'), 'utf8')).toBe(before);
    expect(await loginAs(mtlsEnv('subscriber'), mtlsBrokers)).toBeUndefined();
  });

  // Last two: they restart the node.
  test('a restart without asking for security keeps the cluster secured, with the same credentials', async () => {
    await stopKafkaCluster(layout);
    const restarted = await startKafkaCluster({
      dir: layout.dir,
      version: layout.version,
      jarsDir: layout.jarsDir,
      brokerCount: 1,
    });
    expect(restarted.security).toEqual(layout.security);
    expect(await readValues(subscriberClient(), clinicalEvents, 'subscriber.after-restart', 1)).toContain('event-1');
    const anonymous = createKafkaClient({ brokers, clientId: 'secure-test-anonymous', failFast: true }).admin();
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.disconnect();
  });

  test('a secured cluster made before PLAIN, OAUTHBEARER and mTLS still starts: every mechanism, no mTLS listener', async () => {
    await stopKafkaCluster(layout);
    const securityDir = join(dir, 'security');
    const files = securityFiles(securityDir);
    // As such a cluster was left: no mTLS port, no issuer directory, no CA key, no client certificates.
    const old = {
      ...layout,
      nodes: layout.nodes.map(({ mtlsPort: _, ...ports }) => ports),
      security: { dir: securityDir },
    };
    await writeFile(join(layout.dir, 'cluster.json'), JSON.stringify(old));
    for (const principal of ['admin', 'service', 'subscriber'] as const) {
      await rm(files.clientCertFile(principal));
      await rm(files.clientKeyFile(principal));
    }
    await rm(files.caKeyFile);
    const restarted = await startKafkaCluster({
      dir: layout.dir,
      version: layout.version,
      jarsDir: layout.jarsDir,
      brokerCount: 1,
    });
    expect(mtlsBootstrapOf(restarted)).toBeUndefined();
    expect((await kafkaClusterStatus(restarted)).mtlsBootstrap).toBeUndefined();
    expect((await loadStackSecurity(securityDir)).clientCertificates).toBeUndefined();
    expect(
      await loginAs({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'service',
        KAFKA_SASL_PASSWORD_FILE: files.passwordFile('service'),
        KAFKA_SSL_CA_FILE: files.caFile,
      }),
    ).toBeUndefined();
    // The issuer defaults to the one beside the security directory, as the stack lays them out.
    expect(await loginAs(await oauthEnv('service', clientSecrets.service ?? ''))).toBeUndefined();
  });
});
