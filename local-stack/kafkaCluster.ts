/**
 * Runs Apache Kafka in KRaft mode as child processes of this machine: one combined
 * broker+controller, or three for replication and fault tests. Each cluster lives in one
 * directory (config, data, logs, pids) and can be stopped, killed and restarted on the same
 * data. I/O.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { probeKafka } from '../platform/kafka.js';
import {
  clusterIdFrom,
  loggingConfig,
  loggingFlavourOf,
  loggingSystemProperty,
  type NodePorts,
  oauthAllowedJvmProperties,
  serverProperties,
} from './brokerProperties.js';
import { ensureStackSecurity, loadStackSecurity, type StackSecurity } from './certificates.js';
import { requireJava } from './kafkaJars.js';
import { writeIssuerJwks } from './oauthIssuerJwks.js';
import { freePort, isOurProcessAlive, isPortFree, stopProcess } from './processControl.js';
import { addScramArguments } from './scram.js';
import { probeSecureKafka } from './secureKafkaClient.js';

const execFileAsync = promisify(execFile);

export type ClusterLayout = {
  readonly dir: string;
  readonly version: string;
  readonly jarsDir: string;
  readonly clusterId: string;
  readonly nodes: readonly NodePorts[];
  /**
   * Present for a secured cluster (SASL_SSL, SCRAM, ACLs): where its certificates and
   * credentials are (certificates.ts), and the directory whose `dev-issuer/` holds the key of
   * the token issuer it trusts for OAUTHBEARER (absent in layouts made before: the parent of
   * `dir`, as the stack lays them out). Recorded at creation; every later start keeps it.
   */
  readonly security?: { readonly dir: string; readonly issuerDir?: string };
};

/** The `LOCAL_STACK_DIR`-like directory whose `dev-issuer/` the secured cluster's broker trusts. */
export const issuerDirOf = (security: NonNullable<ClusterLayout['security']>): string =>
  security.issuerDir ?? dirname(security.dir);

/** The mTLS (client certificate) listeners of a secured cluster; undefined when it has none (plain, or made before them). */
export const mtlsBootstrapOf = (layout: Pick<ClusterLayout, 'nodes'>): string | undefined =>
  layout.nodes.every((n) => n.mtlsPort !== undefined)
    ? layout.nodes.map((n) => `127.0.0.1:${n.mtlsPort}`).join(',')
    : undefined;

export type NodeStatus = NodePorts & {
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly logFile: string;
};
export type ClusterStatus = {
  readonly bootstrap: string;
  readonly up: boolean;
  readonly version: string;
  readonly nodes: readonly NodeStatus[];
  /** A secured cluster's mTLS listeners (SSL, client certificate required). */
  readonly mtlsBootstrap?: string;
};

export class KafkaStartError extends Error {
  readonly code = 'CEL_ERR_KAFKA_START';
  readonly retriable = false;
  constructor(
    message: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'KafkaStartError';
  }
}

const LAYOUT_FILE = 'cluster.json';
const DEFAULT_FIRST_PORT = 19092;

export const bootstrapOf = (layout: Pick<ClusterLayout, 'nodes'>): string =>
  layout.nodes.map((n) => `127.0.0.1:${n.clientPort}`).join(',');

const nodeDir = (layout: Pick<ClusterLayout, 'dir'>, nodeId: number) => join(layout.dir, `node-${nodeId}`);
const propertiesFile = (layout: Pick<ClusterLayout, 'dir'>, nodeId: number) =>
  join(nodeDir(layout, nodeId), 'server.properties');
const pidFile = (layout: Pick<ClusterLayout, 'dir'>, nodeId: number) => join(nodeDir(layout, nodeId), 'broker.pid');
export const brokerLogFile = (layout: Pick<ClusterLayout, 'dir'>, nodeId: number) =>
  join(nodeDir(layout, nodeId), 'broker.log');

export async function readClusterLayout(dir: string): Promise<ClusterLayout | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, LAYOUT_FILE), 'utf8')) as ClusterLayout;
  } catch {
    return undefined;
  }
}

/** The layout recorded in `dir`, or a new one (new ports, new cluster id) if there is none. */
async function layoutFor(options: {
  readonly dir: string;
  readonly version: string;
  readonly jarsDir: string;
  readonly brokerCount: number;
  readonly firstPort: number | 'auto';
  readonly securityDir: string | undefined;
  readonly devIssuerDir: string | undefined;
}): Promise<ClusterLayout> {
  const existing = await readClusterLayout(options.dir);
  if (existing !== undefined) {
    if (options.securityDir !== undefined && existing.security === undefined) {
      throw new KafkaStartError(
        `${options.dir} holds a cluster without security (its log dirs hold no SCRAM credentials); ` +
          'stop it and remove the directory to recreate it secured, or use another LOCAL_STACK_DIR',
      );
    }
    if (existing.version !== options.version || existing.nodes.length !== options.brokerCount) {
      throw new KafkaStartError(
        `${options.dir} holds a Kafka ${existing.version} cluster of ${existing.nodes.length} node(s), not ${options.version} ×${options.brokerCount}; ` +
          'stop it and remove the directory, or use another LOCAL_STACK_DIR',
      );
    }
    return { ...existing, jarsDir: options.jarsDir };
  }
  const nodes = await choosePorts(options.brokerCount, options.firstPort, options.securityDir !== undefined);
  let clusterId: string | undefined;
  while (clusterId === undefined) clusterId = clusterIdFrom(randomBytes(16));
  const layout: ClusterLayout = {
    dir: options.dir,
    version: options.version,
    jarsDir: options.jarsDir,
    clusterId,
    nodes,
    ...(options.securityDir === undefined
      ? {}
      : { security: { dir: options.securityDir, issuerDir: options.devIssuerDir ?? dirname(options.securityDir) } }),
  };
  await mkdir(options.dir, { recursive: true });
  await writeFile(join(options.dir, LAYOUT_FILE), `${JSON.stringify(layout, null, 2)}\n`);
  return layout;
}

const portsOf = (node: NodePorts): number[] => [
  node.clientPort,
  node.controllerPort,
  ...(node.mtlsPort === undefined ? [] : [node.mtlsPort]),
];

/** Client and controller ports per node; a secured cluster's mTLS ports follow all of those. */
async function choosePorts(count: number, firstPort: number | 'auto', secured: boolean): Promise<readonly NodePorts[]> {
  const fixed = (base: number): NodePorts[] =>
    Array.from({ length: count }, (_, i) => ({
      nodeId: i + 1,
      clientPort: base + 2 * i,
      controllerPort: base + 2 * i + 1,
      ...(secured ? { mtlsPort: base + 2 * count + i } : {}),
    }));
  const allFree = async (nodes: readonly NodePorts[]) =>
    (await Promise.all(nodes.flatMap((n) => portsOf(n).map((port) => isPortFree(port))))).every(Boolean);
  const portCount = (secured ? 3 : 2) * count;
  if (firstPort !== 'auto') {
    const nodes = fixed(firstPort);
    if (!(await allFree(nodes))) {
      throw new KafkaStartError(
        `KAFKA_PORT=${firstPort}: ports ${firstPort}–${firstPort + portCount - 1} are not all free; choose another KAFKA_PORT or unset it`,
      );
    }
    return nodes;
  }
  const preferred = fixed(DEFAULT_FIRST_PORT);
  if (await allFree(preferred)) return preferred;
  const nodes: NodePorts[] = [];
  for (let i = 0; i < count; i += 1) {
    nodes.push({
      nodeId: i + 1,
      clientPort: await freePort(),
      controllerPort: await freePort(),
      ...(secured ? { mtlsPort: await freePort() } : {}),
    });
  }
  return nodes;
}

async function readPid(layout: ClusterLayout, nodeId: number): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile(layout, nodeId), 'utf8')).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function nodeRunning(
  layout: ClusterLayout,
  nodeId: number,
): Promise<{ pid: number | undefined; running: boolean }> {
  const pid = await readPid(layout, nodeId);
  return { pid, running: pid !== undefined && (await isOurProcessAlive(pid, propertiesFile(layout, nodeId))) };
}

/** The security material of a secured cluster (made on its first start), else undefined. */
async function securityOf(layout: ClusterLayout): Promise<StackSecurity | undefined> {
  return layout.security === undefined ? undefined : loadStackSecurity(layout.security.dir);
}

async function formatNode(layout: ClusterLayout, nodeId: number, security: StackSecurity | undefined): Promise<void> {
  const dataDir = join(nodeDir(layout, nodeId), 'data');
  if (existsSync(join(dataDir, 'meta.properties'))) return; // already formatted: a restart on the same data
  const flavour = loggingFlavourOf(layout.version);
  const toolsLog = join(layout.dir, flavour === 'log4j1' ? 'tools-log4j.properties' : 'tools-log4j2.properties');
  await writeFile(toolsLog, loggingConfig(flavour, 'tools'));
  try {
    await execFileAsync('java', [
      '-Xmx256m',
      loggingSystemProperty(flavour, toolsLog),
      '-cp',
      join(layout.jarsDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      layout.clusterId,
      '-c',
      propertiesFile(layout, nodeId),
      // SCRAM credentials live in the metadata log; a new secured cluster gets them here.
      ...(security === undefined ? [] : addScramArguments(security.passwords)),
    ]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new KafkaStartError(`formatting the KRaft log dir of node ${nodeId} failed: ${stderr.trim()}`);
  }
}

/** Starts one node (formatting its log dir first if it is new); a no-op when it already runs. */
export async function startKafkaNode(layout: ClusterLayout, nodeId: number): Promise<number> {
  const node = layout.nodes.find((n) => n.nodeId === nodeId);
  if (node === undefined) throw new KafkaStartError(`cluster in ${layout.dir} has no node ${nodeId}`);
  const current = await nodeRunning(layout, nodeId);
  if (current.running && current.pid !== undefined) return current.pid;
  // A pid file whose process is gone is left over from a crash. Kafka's own .lock is an OS
  // file lock, released when the process died, so the data dir is safe to reuse.
  await rm(pidFile(layout, nodeId), { force: true });
  // Right after a crash the ports can stay busy for a moment; wait a little before giving up.
  let busy: number[] = [];
  for (const deadline = Date.now() + 15_000; ; ) {
    busy = [];
    for (const port of portsOf(node)) if (!(await isPortFree(port))) busy.push(port);
    if (busy.length === 0 || Date.now() > deadline) break;
    await delay(250);
  }
  if (busy.length > 0) {
    throw new KafkaStartError(
      `node ${nodeId}: port ${busy.join(', ')} is taken by another process; stop it, or set KAFKA_PORT/LOCAL_STACK_DIR for another stack`,
    );
  }
  const dir = nodeDir(layout, nodeId);
  await mkdir(join(dir, 'data'), { recursive: true });
  const flavour = loggingFlavourOf(layout.version);
  const brokerLog = join(dir, flavour === 'log4j1' ? 'log4j.properties' : 'log4j2.properties');
  await writeFile(brokerLog, loggingConfig(flavour, 'broker'));
  const security = layout.security === undefined ? undefined : await ensureStackSecurity(layout.security.dir);
  // The token issuer's public keys, as of this start, for the OAUTHBEARER validator.
  const oauth =
    layout.security === undefined
      ? undefined
      : await writeIssuerJwks(layout.security.dir, issuerDirOf(layout.security));
  const allowedJwks = oauth === undefined ? [] : oauthAllowedJvmProperties(oauth.jwksFile);
  if (allowedJwks === undefined)
    throw new KafkaStartError(
      `${oauth?.jwksFile}: the broker cannot be allowed to read a JWKS file whose path holds a comma; use a LOCAL_STACK_DIR without one`,
    );
  await writeFile(
    propertiesFile(layout, nodeId),
    serverProperties({
      node,
      cluster: layout.nodes,
      dataDir: join(dir, 'data'),
      defaultPartitions: 3,
      ...(security === undefined || oauth === undefined
        ? {}
        : {
            security: {
              keystoreFile: security.keystoreFile,
              keystorePassword: security.keystorePassword,
              truststoreFile: security.truststoreFile,
              truststorePassword: security.truststorePassword,
              brokerPassword: security.passwords.broker,
              plainPasswords: security.passwords,
              oauth,
            },
          }),
    }),
    // A secured node's properties hold passwords.
    security === undefined ? {} : { mode: 0o600 },
  );
  await formatNode(layout, nodeId, security);
  const heap = layout.nodes.length >= 3 ? ['-Xms256m', '-Xmx512m'] : ['-Xms512m', '-Xmx512m'];
  const out = openSync(brokerLogFile(layout, nodeId), 'a');
  const child = spawn(
    'java',
    [
      ...heap,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      ...allowedJwks,
      loggingSystemProperty(flavour, brokerLog),
      '-cp',
      join(layout.jarsDir, '*'),
      'kafka.Kafka',
      propertiesFile(layout, nodeId),
    ],
    { cwd: dir, detached: true, stdio: ['ignore', out, out] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new KafkaStartError(`node ${nodeId}: java did not start`, brokerLogFile(layout, nodeId));
  child.unref();
  await writeFile(pidFile(layout, nodeId), `${pid}\n`);
  return pid;
}

/** Waits until the cluster answers a metadata request naming every node; fails early if a node exits. */
export async function waitForKafkaCluster(layout: ClusterLayout, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const brokers = layout.nodes.map((n) => `127.0.0.1:${n.clientPort}`);
  const security = await securityOf(layout);
  while (Date.now() < deadline) {
    for (const node of layout.nodes) {
      const { running } = await nodeRunning(layout, node.nodeId);
      if (!running) {
        const logFile = brokerLogFile(layout, node.nodeId);
        throw new KafkaStartError(
          `Kafka node ${node.nodeId} exited during start-up; last log lines:\n${await logTail(logFile)}`,
          logFile,
        );
      }
    }
    const answered = await probeBrokerCount(brokers, security, 2000);
    if (answered !== undefined && answered >= layout.nodes.length) return;
    await delay(250);
  }
  throw new KafkaStartError(
    `Kafka at ${bootstrapOf(layout)} did not answer a metadata request within ${timeoutMs / 1000} s; see ${brokerLogFile(layout, 1)}`,
    brokerLogFile(layout, 1),
  );
}

export type StartClusterOptions = {
  readonly dir: string;
  readonly version: string;
  readonly jarsDir: string;
  readonly brokerCount: number;
  readonly firstPort?: number | 'auto';
  /**
   * Secures a new cluster, with its certificates and credentials in this directory. A cluster
   * created secured stays secured without it; a plain one cannot be secured afterwards.
   */
  readonly securityDir?: string;
  /**
   * With `securityDir`: the directory whose `dev-issuer/` holds the key of the token issuer the
   * broker trusts for OAUTHBEARER (auth/devIssuer.ts; the stack's LOCAL_STACK_DIR). Default: the
   * parent of `securityDir`. The key is made when missing.
   */
  readonly devIssuerDir?: string;
  readonly onProgress?: (message: string) => void;
};

/** Starts (or finds running) every node of the cluster in `dir` and waits until it is ready. */
export async function startKafkaCluster(options: StartClusterOptions): Promise<ClusterLayout> {
  requireJava();
  const layout = await layoutFor({
    ...options,
    firstPort: options.firstPort ?? 'auto',
    securityDir: options.securityDir,
    devIssuerDir: options.devIssuerDir,
  });
  // Made once here, before the nodes start side by side and each reads it; client
  // certificates missing from an older set are issued here too.
  if (layout.security !== undefined) await ensureStackSecurity(layout.security.dir, { issueMissing: true });
  const started = Date.now();
  await Promise.all(layout.nodes.map((n) => startKafkaNode(layout, n.nodeId)));
  options.onProgress?.(`Kafka ${layout.version}: ${layout.nodes.length} node(s) starting at ${bootstrapOf(layout)}…`);
  await waitForKafkaCluster(layout);
  options.onProgress?.(`Kafka ${layout.version}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return layout;
}

/** Kills one node with a signal (SIGKILL for crash tests); the pid file stays, as after a real crash. */
export async function signalKafkaNode(layout: ClusterLayout, nodeId: number, signal: NodeJS.Signals): Promise<void> {
  const { pid, running } = await nodeRunning(layout, nodeId);
  if (!running || pid === undefined) return;
  process.kill(pid, signal);
  if (signal === 'SIGKILL') while (await isOurProcessAlive(pid, propertiesFile(layout, nodeId))) await delay(50);
}

/** SIGTERM every node, wait for a clean exit, SIGKILL what does not exit in time. */
export async function stopKafkaCluster(layout: ClusterLayout): Promise<void> {
  await Promise.all(
    layout.nodes.map(async (n) => {
      const pid = await readPid(layout, n.nodeId);
      if (pid !== undefined) await stopProcess(pid, propertiesFile(layout, n.nodeId));
      await rm(pidFile(layout, n.nodeId), { force: true });
    }),
  );
}

export async function kafkaClusterStatus(layout: ClusterLayout): Promise<ClusterStatus> {
  const nodes = await Promise.all(
    layout.nodes.map(async (n) => ({
      ...n,
      ...(await nodeRunning(layout, n.nodeId)),
      logFile: brokerLogFile(layout, n.nodeId),
    })),
  );
  const running = nodes.filter((n) => n.running);
  const answered =
    running.length > 0
      ? await probeBrokerCount(
          running.map((n) => `127.0.0.1:${n.clientPort}`),
          await securityOf(layout),
          3000,
        )
      : undefined;
  const mtlsBootstrap = layout.security === undefined ? undefined : mtlsBootstrapOf(layout);
  return {
    bootstrap: bootstrapOf(layout),
    up: answered !== undefined,
    version: layout.version,
    nodes,
    ...(mtlsBootstrap === undefined ? {} : { mtlsBootstrap }),
  };
}

/** How many brokers the cluster describes (as `admin` when secured); undefined when none answers. */
async function probeBrokerCount(
  brokers: readonly string[],
  security: StackSecurity | undefined,
  timeoutMs: number,
): Promise<number | undefined> {
  if (security !== undefined) return probeSecureKafka(brokers, security, timeoutMs);
  return (await probeKafka(brokers, timeoutMs))?.brokers.length;
}

async function logTail(file: string, lines = 25): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
