/**
 * compose.yaml's Kafka for real, without Docker: deploy/kafka-setup.sh makes the CA, the
 * broker's keystore and JAAS file and formats the storage with the SCRAM users, from compose's
 * KAFKA_* environment and secrets; a broker runs the server.properties the apache/kafka image
 * renders from that environment (its listeners moved to free ports, `kafka` to localhost);
 * deploy/kafka-acls.sh grants the ACLs as `admin`. Then the project's Kafka client logs in as
 * compose's service does (`service`, SCRAM-SHA-512, the CA), creates and writes a topic of its
 * namespace, and is refused one outside it; a wrong password is refused. I/O.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { loggingConfig, loggingFlavourOf, loggingSystemProperty } from '../local-stack/brokerProperties.js';
import { createKafkaClient } from '../platform/kafka.js';
import { type KafkaClientSecurity, loadKafkaSecurity, parseKafkaSecurity } from '../platform/kafkaSecurity.js';
import { compose, environmentOf, kafkaPropertiesOf, REPO_ROOT } from './support/composeFile.js';
import { uniqueName } from './support/uniqueName.js';

const execFileAsync = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const version = inject('kafkaVersion');
const jars = join(inject('kafkaJarsDir'), '*');
const flavour = loggingFlavourOf(version);
const namespace = uniqueName('compose');
let dir = '';
let broker: ChildProcess | undefined;
let brokerLog = '';
let bootstrap: string[] = [];
const clientEnv = environmentOf('clinical-event-log');

/** compose's Kafka client settings for `username`, its password file and the CA moved under `dir`. */
async function securityAs(username: string, passwordFile: string): Promise<KafkaClientSecurity> {
  const problems: string[] = [];
  const env: Record<string, string | undefined> = {
    ...clientEnv,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    KAFKA_SSL_CA_FILE: join(dir, 'ca/ca.pem'),
  };
  const config = parseKafkaSecurity(
    (name) => env[name],
    (variable, message) => problems.push(`${variable}: ${message}`),
    bootstrap,
  );
  expect(problems).toEqual([]);
  return loadKafkaSecurity(config);
}

/** A shell script standing in for the image's /opt/kafka/bin tool. */
async function toolScript(name: string, mainClass: string, toolsLog: string): Promise<string> {
  const file = join(dir, 'bin', name);
  await writeFile(
    file,
    `#!/bin/sh\nexec java -Xmx256m ${loggingSystemProperty(flavour, toolsLog)} -cp '${jars}' ${mainClass} "$@"\n`,
    { mode: 0o755 },
  );
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cel-compose-kafka-'));
  for (const sub of ['secrets', 'ca', 'run', 'data', 'bin']) await mkdir(join(dir, sub), { recursive: true });
  const [internal, host, controller] = [await freePort(), await freePort(), await freePort()];
  const ports: Record<string, number> = { '29092': internal, '9092': host, '9093': controller };
  bootstrap = [`localhost:${host}`];

  // compose's environment, moved to this machine: free ports, `kafka` is localhost, files under dir.
  const environment = Object.fromEntries(
    Object.entries(environmentOf('kafka-setup')).map(([key, value]) => [
      key,
      value.replace(/:(29092|9092|9093)\b/g, (_, port: string) => `:${ports[port]}`).replace(/\bkafka:/g, 'localhost:'),
    ]),
  );
  environment.KAFKA_LOG_DIRS = join(dir, 'data');
  environment.KAFKA_SSL_TRUSTSTORE_LOCATION = join(dir, 'ca/ca.pem');
  for (const secret of compose.services['kafka-setup']?.secrets ?? []) {
    await writeFile(join(dir, 'run', secret), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  const toolsLog = join(dir, 'tools-log.properties');
  await writeFile(toolsLog, loggingConfig(flavour, 'tools'));
  const storageTool = await toolScript('kafka-storage.sh', 'kafka.tools.StorageTool', toolsLog);
  const aclTool = await toolScript(
    'kafka-acls.sh',
    flavour === 'log4j1' ? 'kafka.admin.AclCommand' : 'org.apache.kafka.tools.AclCommand',
    toolsLog,
  );
  const setupPaths = {
    SETUP_SECRETS_DIR: join(dir, 'secrets'),
    SETUP_CA_DIR: join(dir, 'ca'),
    SETUP_RUN_SECRETS_DIR: join(dir, 'run'),
  };

  await execFileAsync('bash', [join(REPO_ROOT, 'deploy/kafka-setup.sh')], {
    env: { PATH: process.env.PATH, ...environment, ...setupPaths, SETUP_STORAGE_TOOL: storageTool },
  });

  // What the image's start adds to the rendered properties: the keystore and its password from the files.
  const properties = kafkaPropertiesOf(environment);
  const keystorePassword = (await readFile(join(dir, 'secrets/broker.keystore.password'), 'utf8')).trim();
  properties.set('ssl.keystore.location', join(dir, 'secrets/broker.keystore.p12'));
  properties.set('ssl.keystore.password', keystorePassword);
  properties.set('ssl.key.password', keystorePassword);
  const propertiesFile = join(dir, 'server.properties');
  await writeFile(propertiesFile, [...properties].map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  const brokerLogConfig = join(dir, 'broker-log.properties');
  await writeFile(brokerLogConfig, loggingConfig(flavour, 'broker'));
  const jaas = (environment.KAFKA_OPTS ?? '').replace('/etc/kafka/secrets', join(dir, 'secrets'));
  broker = spawn(
    'java',
    ['-Xmx512m', jaas, loggingSystemProperty(flavour, brokerLogConfig), '-cp', jars, 'kafka.Kafka', propertiesFile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  broker.stdout?.on('data', (chunk: Buffer) => {
    brokerLog = (brokerLog + chunk.toString()).slice(-20_000);
  });
  broker.stderr?.on('data', (chunk: Buffer) => {
    brokerLog = (brokerLog + chunk.toString()).slice(-20_000);
  });

  const admin = createKafkaClient({
    brokers: bootstrap,
    clientId: 'compose-test-admin',
    security: await securityAs('admin', join(dir, 'run/kafka-admin-password')),
  }).admin();
  await vi.waitFor(
    async () => {
      expect(broker?.exitCode, brokerLog).toBeNull();
      await admin.connect();
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
    },
    { timeout: 60_000, interval: 500 },
  );
  await admin.disconnect();

  await execFileAsync('bash', [join(REPO_ROOT, 'deploy/kafka-acls.sh')], {
    env: {
      PATH: process.env.PATH,
      TOPIC_NAMESPACE: namespace,
      KAFKA_BOOTSTRAP: bootstrap.join(','),
      SETUP_ACL_TOOL: aclTool,
      SETUP_ADMIN_CONFIG: join(dir, 'secrets/admin.properties'),
    },
  });
}, 180_000);

afterAll(async () => {
  if (broker !== undefined && broker.exitCode === null) {
    const exited = new Promise((resolve) => broker?.once('exit', resolve));
    broker.kill('SIGKILL');
    await exited;
  }
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe("compose.yaml's Kafka, set up by deploy/kafka-setup.sh and deploy/kafka-acls.sh", () => {
  test('the service principal logs in with its secret and the CA, and may use its own namespace only', async () => {
    const kafka = createKafkaClient({
      brokers: bootstrap,
      clientId: 'compose-test-service',
      security: await securityAs('service', join(dir, 'run/kafka-service-password')),
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: `${namespace}.probe`, numPartitions: 1 }], waitForLeaders: true });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const [written] = await producer.send({ topic: `${namespace}.probe`, acks: -1, messages: [{ value: 'x' }] });
      await producer.disconnect();
      expect(written?.errorCode).toBe(0);
      const refused = await admin
        .createTopics({ topics: [{ topic: `not-${namespace}.probe`, numPartitions: 1 }] })
        .then(
          () => undefined,
          (error: { errors?: { type?: string }[] }) => error.errors?.map((e) => e.type),
        );
      expect(refused).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    } finally {
      await admin.disconnect();
    }
  });

  test('a wrong password is refused', async () => {
    const wrong = join(dir, 'run/wrong-password');
    await writeFile(wrong, `${randomBytes(32).toString('hex')}\n`);
    const admin = createKafkaClient({
      brokers: bootstrap,
      clientId: 'compose-test-wrong',
      failFast: true,
      security: await securityAs('service', wrong),
    }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
  });
});
