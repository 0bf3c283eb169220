/**
 * The embedded default stack: Kafka from Maven jars as child processes, the machine's
 * PostgreSQL (database created and migrated), the embedded schema registry, the project's
 * topics and schemas. `up`, `down` and `status` here back `npm run stack` and `npm start`.
 * Whatever is configured (KAFKA_BROKERS, SCHEMA_REGISTRY_URL) is used instead. I/O.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_ISSUER } from '../auth/devIssuer.js';
import { type Config, maskUrl } from '../platform/config.js';
import { ensureTopics } from '../platform/ensureTopics.js';
import { checkKafkaLogin, createKafkaClient, probeKafka } from '../platform/kafka.js';
import { loginAttemptOf } from '../platform/kafkaLoginFailure.js';
import { type KafkaClientSecurity, loadKafkaSecurity } from '../platform/kafkaSecurity.js';
import type { Logger } from '../platform/logger.js';
import { ensureDatabase, isDatabaseUp } from '../platform/postgres.js';
import {
  describeWeakened,
  PROJECT_COMPATIBILITY,
  projectSchemaRegistrations,
  type RegisteredSchemas,
  registerSchemas,
} from '../platform/registerSchemas.js';
import { loadRegistryCredentials } from '../platform/registryCredentials.js';
import { runMigrations } from '../platform/runMigrations.js';
import { createRegistry, isRegistryUp, type RegistryHandle } from '../platform/schemaRegistry.js';
import { checkCompatibility } from '../registry/checkCompatibility.js';
import { topicNames, topicSpecs } from '../schemas/topics.js';
import { loadStackSecurity, securityFiles } from './certificates.js';
import {
  bootstrapOf,
  type ClusterLayout,
  kafkaClusterStatus,
  mtlsBootstrapOf,
  readClusterLayout,
  startKafkaCluster,
  stopKafkaCluster,
} from './kafkaCluster.js';
import { ensureKafkaJars } from './kafkaJars.js';
import { readRegistryCredentials } from './registryCredentials.js';
import { registryStatus, startRegistry, stopRegistry } from './registryProcess.js';
import { CLIENT_SASL_MECHANISM, CLIENT_SECURITY_PROTOCOL, SECURED_SASL_MECHANISMS } from './scram.js';
import { applyStackAcls, asPrincipal, createSecureKafkaClient, probeSecureKafka } from './secureKafkaClient.js';

export type StackStatus = {
  readonly kafka: {
    readonly bootstrap: string | null;
    readonly up: boolean;
    readonly embedded: boolean;
    readonly version?: string;
    readonly brokers?: readonly { readonly nodeId: number; readonly pid: number | null; readonly running: boolean }[];
    /** Present for a secured embedded cluster (`up --secure`): how to connect, and the files to do it with. */
    readonly security?: {
      readonly protocol: string;
      readonly mechanism: string;
      /** Every SASL mechanism the SASL_SSL listener offers (the stack's own clients use `mechanism`). */
      readonly mechanisms: readonly string[];
      /** The mTLS listener (SSL, client certificate required) and the service's certificate; absent on a stack made before it. */
      readonly mtls?: { readonly bootstrap: string; readonly certFile: string; readonly keyFile: string };
      readonly caFile: string;
      /** Per principal, its client config as JSON (a `.properties` file for Java tools sits beside it). */
      readonly clients: { readonly service: string; readonly subscriber: string };
    };
  };
  readonly database: { readonly url: string; readonly up: boolean };
  readonly registry: {
    /** Without credentials. */
    readonly url: string | null;
    readonly up: boolean;
    readonly embedded: boolean;
    /** The embedded registry's basic-auth files (`user:password`, as SCHEMA_REGISTRY_BASIC_AUTH_FILE takes), once made. */
    readonly credentials?: { readonly admin: string; readonly service: string; readonly subscriber: string };
  };
  /**
   * Who issues the tokens the API and the registry accept: the configured OIDC provider, or the
   * development issuer (its JWKS served by the running service; `npm run -s token` mints tokens).
   */
  readonly auth: {
    readonly mode: 'oidc' | 'development';
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string;
  };
};

/** The token issuer the stack's services trust. */
function authStatus(config: Config): StackStatus['auth'] {
  return config.auth.mode === 'oidc'
    ? {
        mode: 'oidc',
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        jwksUrl: config.auth.jwksUrl.toString(),
      }
    : {
        mode: 'development',
        issuer: DEV_ISSUER,
        audience: config.auth.audience,
        jwksUrl: `http://127.0.0.1:${config.listen.httpPort}/.well-known/jwks.json`,
      };
}

const STATE_FILE = 'stack.json';
type StackState = { readonly clusterDir: string };

/** Where a secured embedded cluster's certificates and credentials live. */
export function securityDirFor(config: Config): string {
  return join(config.localStack.dir, 'security');
}

/** Where the embedded cluster for this configuration lives. */
export function clusterDirFor(config: Config): string {
  return join(config.localStack.dir, `kafka-${config.localStack.kafkaVersion}-x${config.localStack.brokerCount}`);
}

async function readState(config: Config): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(join(config.localStack.dir, STATE_FILE), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/** The embedded cluster that `up` started (or would start), if it was ever created. */
async function activeCluster(config: Config): Promise<ClusterLayout | undefined> {
  const state = await readState(config);
  return readClusterLayout(state?.clusterDir ?? clusterDirFor(config));
}

/** The brokers to connect to: configured ones, or the embedded cluster's (started if needed). */
export async function stackUp(
  config: Config,
  options: {
    readonly onProgress?: (message: string) => void;
    readonly logger?: Logger;
    /** Create the embedded cluster secured (SASL_SSL, SCRAM, ACLs); one created secured stays so. */
    readonly secure?: boolean;
  } = {},
): Promise<{
  readonly brokers: readonly string[];
  readonly startedKafka: boolean;
  readonly registry: RegistryHandle;
  readonly schemas: RegisteredSchemas;
  /** What the service's Kafka clients connect with: the secured stack's `service` principal, else KAFKA_SECURITY_PROTOCOL and its settings. */
  readonly clientSecurity: KafkaClientSecurity;
}> {
  const progress = options.onProgress ?? (() => undefined);
  let brokers: readonly string[];
  let startedKafka = false;
  let security: Awaited<ReturnType<typeof loadStackSecurity>> | undefined;
  if (options.secure === true && config.kafkaBrokers !== 'local-stack') {
    throw new Error('--secure secures the embedded Kafka; KAFKA_BROKERS names a cluster of its own');
  }
  if (config.kafkaBrokers === 'local-stack') {
    const running = await activeCluster(config);
    if (running !== undefined && running.dir !== clusterDirFor(config)) {
      const status = await kafkaClusterStatus(running);
      if (status.nodes.some((n) => n.running)) {
        throw new Error(
          `a local Kafka ${running.version} ×${running.nodes.length} stack is running from ${running.dir}; run \`npm run stack -- down\` before starting another version or size`,
        );
      }
    }
    const jarsDir = await ensureKafkaJars({
      cacheDir: config.localStack.dir,
      version: config.localStack.kafkaVersion,
      onProgress: progress,
    });
    const before = running === undefined ? undefined : await kafkaClusterStatus(running);
    const layout = await startKafkaCluster({
      dir: clusterDirFor(config),
      version: config.localStack.kafkaVersion,
      jarsDir,
      brokerCount: config.localStack.brokerCount,
      firstPort: config.localStack.kafkaPort,
      ...(options.secure === true ? { securityDir: securityDirFor(config), devIssuerDir: config.localStack.dir } : {}),
      onProgress: progress,
    });
    startedKafka = before === undefined || !before.up;
    await mkdir(config.localStack.dir, { recursive: true });
    await writeFile(join(config.localStack.dir, STATE_FILE), `${JSON.stringify({ clusterDir: layout.dir })}\n`);
    brokers = bootstrapOf(layout).split(',');
    if (layout.security !== undefined) {
      security = await loadStackSecurity(layout.security.dir);
      const acls = await applyStackAcls({ brokers, security, namespace: config.topicNamespace });
      progress(
        `Kafka: secured (${CLIENT_SECURITY_PROTOCOL}, ${CLIENT_SASL_MECHANISM}; also ${SECURED_SASL_MECHANISMS.filter((m) => m !== CLIENT_SASL_MECHANISM).join(', ')}${mtlsBootstrapOf(layout) === undefined ? '' : `; mTLS with client certificates at ${mtlsBootstrapOf(layout)}`}); ${acls} ACLs for ${config.topicNamespace}.*; client configs in ${layout.security.dir}`,
      );
    }
  } else {
    brokers = config.kafkaBrokers;
  }

  // Creating the database and migrating it are the owner's (DATABASE_MIGRATION_URL) when one is set.
  const owner = config.databaseMigrationUrl ?? config.databaseUrl;
  const { created } = await ensureDatabase(owner);
  if (created) progress(`PostgreSQL: created database ${config.databaseUrl.pathname.slice(1)}`);
  const migrations = await runMigrations(owner, options.logger === undefined ? {} : { logger: options.logger });
  progress(
    `PostgreSQL: ${migrations.applied.length} migration(s) applied, ${migrations.alreadyApplied} already applied`,
  );

  // The embedded registry as the stack's `service` user; another with its configured credentials.
  let registry: RegistryHandle;
  if (config.schemaRegistry === 'embedded') {
    const started = await startRegistry({
      dir: config.localStack.dir,
      databaseUrl: config.databaseUrl,
      port: config.localStack.registryPort,
    });
    registry = createRegistry(new URL(started.url), await readRegistryCredentials(config.localStack.dir, 'service'));
    progress(
      `Schema registry (embedded): ${started.url} as service; credentials in ${started.credentials?.dir ?? '(none)'}`,
    );
  } else {
    registry = createRegistry(config.schemaRegistry, await loadRegistryCredentials(config.schemaRegistryCredentials));
  }

  const clientSecurity: KafkaClientSecurity =
    security === undefined ? await loadKafkaSecurity(config.kafkaSecurity) : asPrincipal(security, 'service');
  // On a secured stack the topics are created as `admin`, the principal kept for this.
  const kafka =
    security === undefined
      ? createKafkaClient({
          brokers,
          clientId: config.kafkaClientId,
          security: clientSecurity,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        })
      : createSecureKafkaClient({ brokers, clientId: config.kafkaClientId, security, principal: 'admin' });
  // A wrong password, an untrusted certificate or a listener of another protocol is named now,
  // not found later as a connection error half a minute into a retry.
  await checkKafkaLogin(
    security === undefined
      ? loginAttemptOf(brokers, config.kafkaSecurity)
      : { brokers, protocol: CLIENT_SECURITY_PROTOCOL, mechanism: CLIENT_SASL_MECHANISM, username: 'service' },
    clientSecurity,
  );
  const brokerCount =
    security === undefined
      ? (await probeKafka(brokers, 10_000, clientSecurity))?.brokers.length
      : await probeSecureKafka(brokers, security, 10_000);
  const topics = await ensureTopics(
    kafka,
    topicSpecs({
      namespace: config.topicNamespace,
      partitions: config.topicPartitions,
      brokerCount: brokerCount ?? 1,
    }),
    options.logger,
  );
  if (topics.created.length > 0) progress(`Kafka: created topics ${topics.created.join(', ')}`);
  const schemas = await registerSchemas(registry, projectSchemaRegistrations(topicNames(config.topicNamespace)), {
    explain: (registered, proposed) =>
      checkCompatibility(PROJECT_COMPATIBILITY, JSON.stringify(proposed), [{ version: 0, schema: registered }])
        .messages,
  });
  for (const weakened of schemas.weakened) {
    const message = describeWeakened(weakened, PROJECT_COMPATIBILITY);
    options.logger?.warn({ subject: weakened.subject, level: weakened.level, own: weakened.own }, message);
    progress(message);
  }
  progress(
    `Schema registry: ${schemas.bySubject.size} subjects registered (${PROJECT_COMPATIBILITY}${schemas.weakened.length === 0 ? '' : `; ${schemas.weakened.length} weaker, above`})`,
  );
  return { brokers, startedKafka, registry, schemas, clientSecurity };
}

/** Stops the embedded registry and Kafka cluster, if they run. PostgreSQL is the machine's and stays up. */
export async function stackDown(
  config: Config,
  onProgress: (message: string) => void = () => undefined,
): Promise<void> {
  if (config.schemaRegistry === 'embedded' && (await registryStatus(config.localStack.dir)) !== undefined) {
    await stopRegistry(config.localStack.dir);
    onProgress('Schema registry (embedded): stopped');
  }
  const layout = await activeCluster(config);
  if (layout === undefined) {
    onProgress('no local Kafka stack was started here');
    return;
  }
  const started = Date.now();
  await stopKafkaCluster(layout);
  await rm(join(config.localStack.dir, STATE_FILE), { force: true });
  onProgress(
    `Kafka ${layout.version}: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s (data kept in ${layout.dir})`,
  );
}

async function registryStatusOf(config: Config): Promise<StackStatus['registry']> {
  if (config.schemaRegistry !== 'embedded') {
    // The handle's URL holds no credentials (user info is sent, never shown).
    const handle = createRegistry(
      config.schemaRegistry,
      await loadRegistryCredentials(config.schemaRegistryCredentials),
    );
    return { url: handle.url.toString(), up: await isRegistryUp(handle), embedded: false };
  }
  const embedded = await registryStatus(config.localStack.dir);
  const files = embedded?.credentials?.basicAuth;
  return {
    url: embedded?.url ?? null,
    up: embedded?.running ?? false,
    embedded: true,
    ...(files === undefined
      ? {}
      : { credentials: { admin: files.admin, service: files.service, subscriber: files.subscriber } }),
  };
}

export async function stackStatus(config: Config): Promise<StackStatus> {
  const [databaseUp, registry] = await Promise.all([isDatabaseUp(config.databaseUrl), registryStatusOf(config)]);
  const database = { url: maskUrl(config.databaseUrl), up: databaseUp };
  const auth = authStatus(config);
  if (config.kafkaBrokers !== 'local-stack') {
    const answered = await probeKafka(config.kafkaBrokers, 3000, await loadKafkaSecurity(config.kafkaSecurity));
    return {
      kafka: { bootstrap: config.kafkaBrokers.join(','), up: answered !== undefined, embedded: false },
      database,
      registry,
      auth,
    };
  }
  const layout = await activeCluster(config);
  if (layout === undefined) return { kafka: { bootstrap: null, up: false, embedded: true }, database, registry, auth };
  const status = await kafkaClusterStatus(layout);
  return {
    kafka: {
      bootstrap: status.bootstrap,
      up: status.up,
      embedded: true,
      version: status.version,
      brokers: status.nodes.map((n) => ({ nodeId: n.nodeId, pid: n.pid ?? null, running: n.running })),
      ...(layout.security === undefined ? {} : { security: securityStatus(layout.security.dir, status.mtlsBootstrap) }),
    },
    database,
    registry,
    auth,
  };
}

function securityStatus(dir: string, mtlsBootstrap: string | undefined): NonNullable<StackStatus['kafka']['security']> {
  const files = securityFiles(dir);
  const certFile = files.clientCertFile('service');
  return {
    protocol: CLIENT_SECURITY_PROTOCOL,
    mechanism: CLIENT_SASL_MECHANISM,
    mechanisms: SECURED_SASL_MECHANISMS,
    ...(mtlsBootstrap === undefined || !existsSync(certFile)
      ? {}
      : { mtls: { bootstrap: mtlsBootstrap, certFile, keyFile: files.clientKeyFile('service') } }),
    caFile: files.caFile,
    clients: { service: files.jsonFile('service'), subscriber: files.jsonFile('subscriber') },
  };
}
