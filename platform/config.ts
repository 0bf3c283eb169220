/**
 * The process configuration: parsed once from the environment into a typed, frozen object.
 * `parseConfig` is pure and reports every bad variable at once; `loadConfig` is the only
 * reader of `process.env` in the code base.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseAllowedHosts } from '../api/allowedHosts.js';
import type { HttpHardening } from '../api/httpHardening.js';
import { type AuthConfig, parseAuthConfig } from '../auth/authConfig.js';
import { err, ok, type Result } from '../core/result.js';
import { type MllpListenConfig, parseMllpListenConfig } from '../producers/hl7v2/mllpListenConfig.js';
import { parseDatabaseUrls } from './databaseConfig.js';
import { type KafkaSecurityConfig, parseKafkaSecurity } from './kafkaSecurity.js';
import { parseRegistryCredentials, type RegistryCredentialSource } from './registryCredentials.js';
import { parseTracingConfig, type TracingConfig } from './tracingConfig.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type Config = {
  /** DATABASE_URL (with DATABASE_SSL_* and DATABASE_PASSWORD_FILE folded in, platform/databaseConfig.ts); the database is created if it does not exist. */
  readonly databaseUrl: URL;
  /** DATABASE_MIGRATION_URL: the owner role that migrates (and creates the database); undefined, DATABASE_URL's role. */
  readonly databaseMigrationUrl: URL | undefined;
  /** KAFKA_BROKERS: a list of host:port, or the embedded local stack when unset. */
  readonly kafkaBrokers: readonly string[] | 'local-stack';
  /** KAFKA_CLIENT_ID */
  readonly kafkaClientId: string;
  /** KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*: how every Kafka client authenticates (platform/kafkaSecurity.ts). */
  readonly kafkaSecurity: KafkaSecurityConfig;
  /** SCHEMA_REGISTRY_URL: a Confluent-compatible registry, or the embedded one when unset. */
  readonly schemaRegistry: URL | 'embedded';
  /** SCHEMA_REGISTRY_BASIC_AUTH_FILE or SCHEMA_REGISTRY_BEARER_TOKEN_FILE: what the registry client sends (platform/registryCredentials.ts). */
  readonly schemaRegistryCredentials: RegistryCredentialSource;
  /** TOPIC_NAMESPACE: prefix of every topic name the project creates (`<ns>.clinical-events` …). */
  readonly topicNamespace: string;
  /** TOPIC_PARTITIONS: partitions of each topic the project creates. */
  readonly topicPartitions: number;
  readonly localStack: {
    /** LOCAL_STACK_DIR: jars cache, broker data, logs and pid files. */
    readonly dir: string;
    /** KAFKA_VERSION: the Apache Kafka release the local stack runs. */
    readonly kafkaVersion: string;
    /** KAFKA_BROKER_COUNT: 1, or 3 for a replicated cluster on this machine. */
    readonly brokerCount: 1 | 3;
    /** KAFKA_PORT: first client port of the local stack; unset means 19092, or a free port if that one is taken. */
    readonly kafkaPort: number | 'auto';
    /** SCHEMA_REGISTRY_PORT: port of the embedded registry; unset means 18081, or a free port if that one is taken. */
    readonly registryPort: number | 'auto';
  };
  readonly listen: {
    /** LISTEN_HOST: the interface the HTTP API and the MLLP listener bind to. */
    readonly host: string;
    /** PORT: HTTP (FHIR, JSON ingest, views, admin, health). */
    readonly httpPort: number;
    /** MLLP_PORT: HL7 v2 over MLLP. */
    readonly mllpPort: number;
    /** MLLP_MAX_FRAME_BYTES: larger messages are refused (AR) without being buffered. */
    readonly mllpMaxFrameBytes: number;
    /** MLLP_IDLE_TIMEOUT_MS: a connection that sends nothing for this long is closed. */
    readonly mllpIdleTimeoutMs: number;
    /** MLLP_FRAME_TIMEOUT_MS: a connection whose open frame is not completed in this long is closed (slowloris). */
    readonly mllpFrameTimeoutMs: number;
    /** MLLP_MAX_CONNECTIONS: connections open at once from all senders; more are closed as they arrive. */
    readonly mllpMaxConnections: number;
    /** MLLP_MAX_CONNECTIONS_PER_PEER: connections open at once from one remote address; more are closed as they arrive. */
    readonly mllpMaxConnectionsPerPeer: number;
    /** MLLP_TLS_*, MLLP_PLAIN_PORT, MLLP_SENDERS_FILE: TLS, the loopback plain listener beside it, the sender allow-list. */
    readonly mllp: MllpListenConfig;
  };
  /** AUTH_*: the OIDC provider whose bearer tokens the API trusts, or the development issuer. */
  readonly auth: AuthConfig & {
    /** CONSOLE_CLIENT_ID: the console's OAuth client id (api/consoleRoutes.ts). */
    readonly consoleClientId?: string;
  };
  /** HTTP_RATE_LIMIT, HTTP_RATE_LIMIT_WINDOW_SECONDS, HTTP_ALLOWED_HOSTS: the HTTP API's limits (api/httpHardening.ts). */
  readonly http: HttpHardening;
  /** METRICS_BEARER_TOKEN_FILE: the file holding the static token Prometheus scrapes GET /metrics with (api/metricsRoutes.ts). */
  readonly metricsBearerTokenFile: string | undefined;
  /** LOG_LEVEL */
  readonly logLevel: LogLevel;
  /** OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER(_ARG), OTEL_SDK_DISABLED: traces (platform/tracingConfig.ts). */
  readonly tracing: TracingConfig;
  /** The view consumers of `npm run views` (and the fetch size of a rebuild). */
  readonly views: {
    /** CEL_VIEWS: the views and log indexes `npm run views` runs; 'all' is every view (no log index). */
    readonly selected: readonly string[] | 'all';
    /** CEL_MAX_BATCH_BYTES: upper bound of one fetch per partition; unset, each consumer's own (views 4 MiB, a rebuild 32 MiB). */
    readonly maxBatchBytes: number | undefined;
    /** CEL_FAILPOINT: fault tests only, the process kills itself (SIGKILL) at the n-th batch. */
    readonly failpoint: Failpoint | undefined;
  };
};

/** Where a fault test kills the view process: inside the n-th batch, or after its COMMIT. */
export type Failpoint = { readonly at: 'mid-batch' | 'after-commit'; readonly batch: number };

export type ConfigProblem = { readonly variable: string; readonly message: string };

type Env = Readonly<Record<string, string | undefined>>;

/** One row per variable: its default and how it is described in the README table. */
export const configVariables = [
  {
    name: 'DATABASE_URL',
    default: 'postgres://postgres@127.0.0.1:5432/clinical_event_log',
    doc: "PostgreSQL connection URL of the service's role; the database is created if missing. `sslmode` has libpq's meaning (disable, allow, prefer: no TLS; require: encrypted; verify-ca: the CA signed the certificate; verify-full: and it names the host); `sslrootcert`, `sslcert`, `sslkey` are files",
  },
  {
    name: 'DATABASE_SSL_CA_FILE',
    default: '(system CAs)',
    doc: "PEM CA that signed the PostgreSQL server's certificate (as `sslrootcert` in DATABASE_URL); checked with sslmode=verify-ca or verify-full (and require)",
  },
  {
    name: 'DATABASE_SSL_CERT_FILE',
    default: '(none)',
    doc: 'PEM client certificate for PostgreSQL (as `sslcert`), with DATABASE_SSL_KEY_FILE',
  },
  { name: 'DATABASE_SSL_KEY_FILE', default: '(none)', doc: 'PEM private key of DATABASE_SSL_CERT_FILE (as `sslkey`)' },
  {
    name: 'DATABASE_PASSWORD_FILE',
    default: '(none)',
    doc: "File holding the password of DATABASE_URL's user (one trailing newline ignored), read for each new connection, never logged; refused if DATABASE_URL carries a password",
  },
  {
    name: 'DATABASE_MIGRATION_URL',
    default: '(DATABASE_URL)',
    doc: "URL of the role that owns the schema: migrations, database creation and `npm run replay -- rebuild` run as it, so DATABASE_URL's role needs only the rights in deploy/postgres-service-role.sql. Same database; TLS settings it does not set come from DATABASE_URL",
  },
  {
    name: 'DATABASE_MIGRATION_PASSWORD_FILE',
    default: '(none)',
    doc: "File holding the password of DATABASE_MIGRATION_URL's user",
  },
  {
    name: 'KAFKA_BROKERS',
    default: '(local stack)',
    doc: 'Comma-separated host:port list of an existing Kafka cluster; unset starts the embedded local stack',
  },
  {
    name: 'SCHEMA_REGISTRY_URL',
    default: '(embedded)',
    doc: 'Confluent Schema Registry REST API (Confluent SR, Karapace, Apicurio ccompat); unset uses the embedded registry',
  },
  {
    name: 'SCHEMA_REGISTRY_BASIC_AUTH_FILE',
    default: '(none)',
    doc: "File holding `user:password` (Confluent's basic.auth.user.info) the registry client sends as HTTP Basic; not with SCHEMA_REGISTRY_BEARER_TOKEN_FILE",
  },
  {
    name: 'SCHEMA_REGISTRY_BEARER_TOKEN_FILE',
    default: '(none)',
    doc: 'File holding a bearer token the registry client sends; not with SCHEMA_REGISTRY_BASIC_AUTH_FILE',
  },
  { name: 'KAFKA_CLIENT_ID', default: 'clinical-event-log', doc: 'Kafka client id reported to the brokers' },
  {
    name: 'KAFKA_SECURITY_PROTOCOL',
    default: 'PLAINTEXT',
    doc: 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, for every Kafka client of the project (a managed cluster: SASL_SSL)',
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    default: '(none)',
    doc: 'With SASL_*: SCRAM-SHA-512, SCRAM-SHA-256, PLAIN (never over SASL_PLAINTEXT to another machine) or OAUTHBEARER',
  },
  { name: 'KAFKA_SASL_USERNAME', default: '(none)', doc: 'The SCRAM or PLAIN user' },
  {
    name: 'KAFKA_SASL_PASSWORD_FILE',
    default: '(none)',
    doc: 'File holding the SCRAM or PLAIN password (read at start, never logged)',
  },
  {
    name: 'KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL',
    default: '(none)',
    doc: "OAUTHBEARER: the provider's token endpoint (client credentials grant), https://",
  },
  { name: 'KAFKA_SASL_OAUTHBEARER_CLIENT_ID', default: '(none)', doc: 'OAUTHBEARER: the client id' },
  {
    name: 'KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE',
    default: '(none)',
    doc: 'OAUTHBEARER: file holding the client secret',
  },
  {
    name: 'KAFKA_SASL_OAUTHBEARER_SCOPE',
    default: '(none)',
    doc: 'OAUTHBEARER: scope to ask for, when the provider needs one',
  },
  {
    name: 'KAFKA_SSL_CA_FILE',
    default: '(system CAs)',
    doc: "With SSL/SASL_SSL: PEM file of the CA that signed the brokers' certificates (hostnames are always verified)",
  },
  { name: 'KAFKA_SSL_CERT_FILE', default: '(none)', doc: 'mTLS: PEM client certificate (with KAFKA_SSL_KEY_FILE)' },
  { name: 'KAFKA_SSL_KEY_FILE', default: '(none)', doc: 'mTLS: PEM private key of the client certificate' },
  { name: 'TOPIC_NAMESPACE', default: 'cel', doc: 'Prefix of every topic the project creates' },
  { name: 'TOPIC_PARTITIONS', default: '6', doc: 'Partitions of each topic the project creates (1–1000)' },
  { name: 'LOCAL_STACK_DIR', default: '.local-stack', doc: 'Where the local stack keeps Kafka jars, data, logs, pids' },
  { name: 'KAFKA_VERSION', default: '4.4.0', doc: 'Apache Kafka release the local stack runs (3.9.x or 4.x)' },
  { name: 'KAFKA_BROKER_COUNT', default: '1', doc: 'Brokers in the local stack: 1, or 3 for a replicated cluster' },
  {
    name: 'KAFKA_PORT',
    default: '19092',
    doc: 'First client port of the local stack (node n uses +2(n−1), controller +1); if unset and 19092 is taken, a free port',
  },
  {
    name: 'SCHEMA_REGISTRY_PORT',
    default: '18081',
    doc: 'Port of the embedded schema registry (when SCHEMA_REGISTRY_URL is unset); if unset and 18081 is taken, a free port',
  },
  {
    name: 'LISTEN_HOST',
    default: '127.0.0.1',
    doc: 'Interface the HTTP API and the MLLP listener bind to (0.0.0.0 for all)',
  },
  { name: 'PORT', default: '8080', doc: 'HTTP port: FHIR (/fhir), JSON ingest (/events), views, admin, /health' },
  { name: 'MLLP_PORT', default: '2575', doc: 'HL7 v2 over MLLP (TCP) port' },
  {
    name: 'MLLP_MAX_FRAME_BYTES',
    default: '1048576',
    doc: 'Largest HL7 message accepted; larger ones are refused (AR) unbuffered',
  },
  { name: 'MLLP_IDLE_TIMEOUT_MS', default: '300000', doc: 'An MLLP connection silent this long is closed' },
  {
    name: 'MLLP_FRAME_TIMEOUT_MS',
    default: '30000',
    doc: 'An MLLP connection whose started message is not completed this long is closed (slow senders)',
  },
  {
    name: 'MLLP_MAX_CONNECTIONS',
    default: '500',
    doc: 'MLLP connections open at once from all senders; one more is closed as it arrives',
  },
  {
    name: 'MLLP_MAX_CONNECTIONS_PER_PEER',
    default: '50',
    doc: 'MLLP connections open at once from one remote address (at most MLLP_MAX_CONNECTIONS); one more from that address is closed as it arrives, other senders are unaffected',
  },
  {
    name: 'MLLP_TLS_CERT_FILE',
    default: '(none: plain TCP)',
    doc: 'PEM certificate (chain) of the MLLP listener; with MLLP_TLS_KEY_FILE, MLLP_PORT serves MLLP over TLS and plain MLLP is only on 127.0.0.1 (MLLP_PLAIN_PORT)',
  },
  { name: 'MLLP_TLS_KEY_FILE', default: '(none)', doc: 'PEM private key of MLLP_TLS_CERT_FILE; set both or neither' },
  {
    name: 'MLLP_TLS_CA_FILE',
    default: '(none)',
    doc: 'PEM CA bundle; set, every MLLP TLS client must present a certificate it signed (others fail the handshake)',
  },
  {
    name: 'MLLP_PLAIN_PORT',
    default: '(off)',
    doc: 'With MLLP TLS only: a plain MLLP port bound to 127.0.0.1 whatever LISTEN_HOST is; refused without TLS (then MLLP_PORT is plain)',
  },
  {
    name: 'MLLP_SENDERS_FILE',
    default: '(development sender)',
    doc: 'JSON allow-list of MLLP senders (addresses, certificate subjects, MSH-3/MSH-4 each may send); others get AR 204 "do not resend". Required with TLS. Unset: any sender reaching the plain listener',
  },
  {
    name: 'AUTH_ISSUER',
    default: '(development issuer)',
    doc: 'The OIDC provider whose bearer tokens the API trusts (its `iss`: Keycloak realm URL, Entra ID, NHS CIS2); with AUTH_JWKS_URL and AUTH_AUDIENCE. Unset: the development issuer, whose key is under LOCAL_STACK_DIR (`npm run -s token`)',
  },
  {
    name: 'AUTH_JWKS_URL',
    default: '(development issuer)',
    doc: "The provider's signing keys (JWKS), https:// (http only on loopback); cached, fetched again for an unknown `kid`",
  },
  {
    name: 'AUTH_AUDIENCE',
    default: 'clinical-event-log',
    doc: 'The `aud` tokens for this service carry; required with AUTH_ISSUER',
  },
  {
    name: 'AUTH_ALGORITHMS',
    default: '(RS*, PS*, ES*, EdDSA)',
    doc: 'Comma-separated signature algorithms accepted; only asymmetric ones (HS* and none are refused at start)',
  },
  { name: 'AUTH_CLOCK_SKEW_SECONDS', default: '30', doc: 'Clock skew allowed on `exp` and `nbf` (0–300)' },
  {
    name: 'CONSOLE_CLIENT_ID',
    default: 'clinical-event-log-console',
    doc: 'The OAuth client id the console at /console signs in with (authorization code + PKCE; redirect URI `<service>/console/callback`)',
  },
  {
    name: 'HTTP_RATE_LIMIT',
    default: '6000',
    doc: 'HTTP requests one client may make per window (1–1000000): a client is the verified caller (token `sub` and client), else the remote address; more are answered 429 with Retry-After. `GET /health` counts apart',
  },
  {
    name: 'HTTP_RATE_LIMIT_WINDOW_SECONDS',
    default: '60',
    doc: 'The window HTTP_RATE_LIMIT counts in, in seconds (1–86400)',
  },
  {
    name: 'HTTP_ALLOWED_HOSTS',
    default: '(any)',
    doc: 'Comma-separated Host header values the HTTP API answers: a host name (any port) or host:port, e.g. `api.example.org,localhost:8080`; others are answered 421. Unset: any host',
  },
  {
    name: 'METRICS_BEARER_TOKEN_FILE',
    default: '(none)',
    doc: 'File holding the static token (at least 32 characters) Prometheus sends to GET /metrics as `Authorization: Bearer …`; without it, an operator token or a loopback caller only',
  },
  { name: 'LOG_LEVEL', default: 'info', doc: 'fatal, error, warn, info, debug, trace or silent' },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '(none: no traces)',
    doc: "Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (e.g. `http://127.0.0.1:4318`); spans go to `<url>/v1/traces`. Unset (and no OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): tracing is off. README: Traces",
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    default: '(none)',
    doc: 'Full URL spans are posted to (OTLP/HTTP, JSON), used as it is; wins over OTEL_EXPORTER_OTLP_ENDPOINT',
  },
  { name: 'OTEL_SERVICE_NAME', default: 'clinical-event-log', doc: 'The `service.name` the spans carry' },
  {
    name: 'OTEL_TRACES_SAMPLER',
    default: 'parentbased_always_on',
    doc: "always_on, always_off, traceidratio, or parentbased_ of one of them (a caller's sampled `traceparent` is followed)",
  },
  { name: 'OTEL_TRACES_SAMPLER_ARG', default: '1', doc: 'The ratio (0–1) of the traceidratio samplers' },
  { name: 'OTEL_SDK_DISABLED', default: 'false', doc: '`true` turns tracing off whatever the endpoint' },
  {
    name: 'LTC_CODES_FILE',
    default: '(built-in list)',
    doc: 'JSON file of the long-term conditions that open a care-plan review: {"snomedCt": [...], "icd10Prefixes": [...]}; a new list needs `npm run replay -- rebuild care-plan-view`',
  },
  {
    name: 'CEL_VIEWS',
    default: '(every view)',
    doc: 'Comma-separated views and log indexes `npm run views` runs (gp-view, pharmacy-view, care-plan-view, audit-index, audit-receipts, access-log); unset runs every view and no log index',
  },
  {
    name: 'CEL_MAX_BATCH_BYTES',
    default: '(4 MiB; a rebuild 32 MiB)',
    doc: 'Largest fetch per partition, in bytes, of `npm run views` and of a rebuild (1024–268435456); smaller means smaller batches',
  },
  {
    name: 'CEL_FAILPOINT',
    default: '(none)',
    doc: 'Fault tests only: `mid-batch:<n>` or `after-commit:<n>` makes `npm run views` (and a rebuild, mid-batch) kill itself at its n-th batch',
  },
] as const satisfies readonly { name: string; default: string; doc: string }[];

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseConfig(env: Env, cwd = '.'): Result<Config, readonly ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, message: string): void => {
    problems.push({ variable, message });
  };
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };

  const database = parseDatabaseUrls(value, problem, cwd);
  const kafkaBrokers = parseBrokers(value('KAFKA_BROKERS'), problem);
  const kafkaSecurity = parseKafkaSecurity(value, problem, kafkaBrokers);
  const schemaRegistry = parseHttpUrl('SCHEMA_REGISTRY_URL', value('SCHEMA_REGISTRY_URL'), problem);
  const schemaRegistryCredentials = parseRegistryCredentials(value, problem, schemaRegistry, cwd);
  const kafkaClientId = value('KAFKA_CLIENT_ID') ?? 'clinical-event-log';
  const topicNamespace = value('TOPIC_NAMESPACE') ?? 'cel';
  if (!/^[a-zA-Z0-9_-]{1,100}$/.test(topicNamespace)) {
    problem('TOPIC_NAMESPACE', `"${topicNamespace}": expected 1–100 letters, digits, "_" or "-"`);
  }
  const topicPartitions = parseInteger('TOPIC_PARTITIONS', value('TOPIC_PARTITIONS') ?? '6', 1, 1000, problem);
  const kafkaVersion = value('KAFKA_VERSION') ?? '4.4.0';
  if (!/^(3\.9|4\.\d+)\.\d+$/.test(kafkaVersion)) {
    problem('KAFKA_VERSION', `"${kafkaVersion}": expected an Apache Kafka release 3.9.x or 4.x.y, e.g. 4.4.0`);
  }
  const brokerCountRaw = value('KAFKA_BROKER_COUNT') ?? '1';
  const brokerCount = brokerCountRaw === '1' ? 1 : brokerCountRaw === '3' ? 3 : undefined;
  if (brokerCount === undefined) problem('KAFKA_BROKER_COUNT', `"${brokerCountRaw}": expected 1 or 3`);
  const kafkaPortRaw = value('KAFKA_PORT');
  const kafkaPort =
    kafkaPortRaw === undefined ? 'auto' : parseInteger('KAFKA_PORT', kafkaPortRaw, 1024, 65_000, problem);
  const registryPortRaw = value('SCHEMA_REGISTRY_PORT');
  const registryPort =
    registryPortRaw === undefined
      ? 'auto'
      : parseInteger('SCHEMA_REGISTRY_PORT', registryPortRaw, 1024, 65_000, problem);
  const listenHost = value('LISTEN_HOST') ?? '127.0.0.1';
  if (!/^[a-zA-Z0-9.:-]+$/.test(listenHost))
    problem('LISTEN_HOST', `"${listenHost}": expected a host name or IP address`);
  const httpPort = parseInteger('PORT', value('PORT') ?? '8080', 0, 65_535, problem);
  const mllpPort = parseInteger('MLLP_PORT', value('MLLP_PORT') ?? '2575', 0, 65_535, problem);
  const mllpMaxFrameBytes = parseInteger(
    'MLLP_MAX_FRAME_BYTES',
    value('MLLP_MAX_FRAME_BYTES') ?? '1048576',
    1024,
    64 * 1024 * 1024,
    problem,
  );
  const mllpIdleTimeoutMs = parseInteger(
    'MLLP_IDLE_TIMEOUT_MS',
    value('MLLP_IDLE_TIMEOUT_MS') ?? '300000',
    1000,
    86_400_000,
    problem,
  );
  const mllpFrameTimeoutMs = parseInteger(
    'MLLP_FRAME_TIMEOUT_MS',
    value('MLLP_FRAME_TIMEOUT_MS') ?? '30000',
    1000,
    3_600_000,
    problem,
  );
  const mllpMaxConnections = parseInteger(
    'MLLP_MAX_CONNECTIONS',
    value('MLLP_MAX_CONNECTIONS') ?? '500',
    1,
    100_000,
    problem,
  );
  const mllpMaxConnectionsPerPeer = parseInteger(
    'MLLP_MAX_CONNECTIONS_PER_PEER',
    value('MLLP_MAX_CONNECTIONS_PER_PEER') ?? '50',
    1,
    100_000,
    problem,
  );
  if (
    mllpMaxConnections !== undefined &&
    mllpMaxConnectionsPerPeer !== undefined &&
    mllpMaxConnectionsPerPeer > mllpMaxConnections
  ) {
    problem(
      'MLLP_MAX_CONNECTIONS_PER_PEER',
      `"${mllpMaxConnectionsPerPeer}": expected at most MLLP_MAX_CONNECTIONS (${mllpMaxConnections})`,
    );
  }
  const mllp = parseMllpListenConfig(value, problem, cwd);
  const selectedViewsRaw = value('CEL_VIEWS');
  const selectedViews = selectedViewsRaw?.split(',').map((name) => name.trim());
  if (selectedViews?.some((name) => !/^[a-z][a-z0-9-]{0,62}$/.test(name)) === true) {
    problem(
      'CEL_VIEWS',
      `"${selectedViewsRaw}": expected view or log index names separated by commas, e.g. gp-view,audit-index`,
    );
  }
  const maxBatchBytesRaw = value('CEL_MAX_BATCH_BYTES');
  const maxBatchBytes =
    maxBatchBytesRaw === undefined
      ? undefined
      : parseInteger('CEL_MAX_BATCH_BYTES', maxBatchBytesRaw, 1024, 256 * 1024 * 1024, problem);
  const failpointRaw = value('CEL_FAILPOINT');
  const failpointMatch =
    failpointRaw === undefined ? null : /^(mid-batch|after-commit):([1-9]\d{0,8})$/.exec(failpointRaw);
  if (failpointRaw !== undefined && failpointMatch === null) {
    problem('CEL_FAILPOINT', `"${failpointRaw}": expected mid-batch:<n> or after-commit:<n>, n a batch number from 1`);
  }
  const localStackDirRaw = value('LOCAL_STACK_DIR') ?? '.local-stack';
  const consoleClientId = value('CONSOLE_CLIENT_ID');
  if (consoleClientId !== undefined && !/^[\x21-\x7e]{1,200}$/.test(consoleClientId))
    problem('CONSOLE_CLIENT_ID', 'expected printable text without spaces (at most 200 characters)');
  const auth = { ...parseAuthConfig(value, problem), ...(consoleClientId === undefined ? {} : { consoleClientId }) };
  const httpRateLimit = parseInteger('HTTP_RATE_LIMIT', value('HTTP_RATE_LIMIT') ?? '6000', 1, 1_000_000, problem);
  const httpRateLimitWindowSeconds = parseInteger(
    'HTTP_RATE_LIMIT_WINDOW_SECONDS',
    value('HTTP_RATE_LIMIT_WINDOW_SECONDS') ?? '60',
    1,
    86_400,
    problem,
  );
  const allowedHostsRaw = value('HTTP_ALLOWED_HOSTS');
  const allowedHosts = allowedHostsRaw === undefined ? undefined : parseAllowedHosts(allowedHostsRaw);
  if (allowedHosts?.ok === false) {
    problem(
      'HTTP_ALLOWED_HOSTS',
      `"${allowedHosts.error.join(',')}": expected comma-separated host names or host:port, e.g. api.example.org,localhost:8080`,
    );
  }
  const logLevelRaw = (value('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = logLevels.find((level) => level === logLevelRaw);
  if (logLevel === undefined) problem('LOG_LEVEL', `"${logLevelRaw}": expected one of ${logLevels.join(', ')}`);
  const tracing = parseTracingConfig(value, problem);

  if (problems.length > 0 || database === undefined || kafkaBrokers === undefined || schemaRegistry === undefined) {
    return err(problems);
  }
  return ok(
    Object.freeze({
      databaseUrl: database.databaseUrl,
      databaseMigrationUrl: database.databaseMigrationUrl,
      kafkaBrokers,
      kafkaSecurity,
      schemaRegistry,
      schemaRegistryCredentials,
      kafkaClientId,
      topicNamespace,
      topicPartitions: topicPartitions ?? 6,
      localStack: Object.freeze({
        dir: isAbsolute(localStackDirRaw) ? localStackDirRaw : resolve(cwd, localStackDirRaw),
        kafkaVersion,
        brokerCount: brokerCount ?? 1,
        kafkaPort: kafkaPort ?? 'auto',
        registryPort: registryPort ?? 'auto',
      }),
      listen: Object.freeze({
        host: listenHost,
        httpPort: httpPort ?? 8080,
        mllpPort: mllpPort ?? 2575,
        mllpMaxFrameBytes: mllpMaxFrameBytes ?? 1_048_576,
        mllpIdleTimeoutMs: mllpIdleTimeoutMs ?? 300_000,
        mllpFrameTimeoutMs: mllpFrameTimeoutMs ?? 30_000,
        mllpMaxConnections: mllpMaxConnections ?? 500,
        mllpMaxConnectionsPerPeer: mllpMaxConnectionsPerPeer ?? 50,
        mllp: Object.freeze(mllp),
      }),
      auth,
      http: Object.freeze({
        rateLimit: httpRateLimit ?? 6000,
        rateLimitWindowSeconds: httpRateLimitWindowSeconds ?? 60,
        allowedHosts: allowedHosts?.ok === true ? Object.freeze([...allowedHosts.value]) : 'any',
      }),
      metricsBearerTokenFile: ((file) => (file === undefined ? undefined : resolve(cwd, file)))(
        value('METRICS_BEARER_TOKEN_FILE'),
      ),
      logLevel: logLevel ?? 'info',
      tracing,
      views: Object.freeze({
        selected: selectedViews === undefined ? 'all' : Object.freeze(selectedViews),
        maxBatchBytes,
        failpoint:
          failpointMatch?.[1] === undefined
            ? undefined
            : Object.freeze({
                at: failpointMatch[1] as Failpoint['at'],
                batch: Number(failpointMatch[2]),
              }),
      }),
    }),
  );
}

export class ConfigError extends Error {
  readonly code = 'CEL_ERR_CONFIG';
  readonly retriable = false;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration; fix these environment variables:\n${problems.map((p) => `  ${p.variable}=${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads process.env once; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const parsed = parseConfig(env, cwd);
  if (!parsed.ok) throw new ConfigError(parsed.error);
  return parsed.value;
}

/** The URL with any password replaced, for logs and status output. */
export function maskUrl(url: URL): string {
  if (url.password === '') return url.toString();
  const masked = new URL(url.toString());
  masked.password = '****';
  return masked.toString();
}

function parseHttpUrl(
  variable: string,
  raw: string | undefined,
  problem: (variable: string, message: string) => void,
): URL | 'embedded' | undefined {
  if (raw === undefined) return 'embedded';
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  problem(variable, `"${raw}": expected an http:// or https:// URL`);
  return undefined;
}

function parseBrokers(
  raw: string | undefined,
  problem: (variable: string, message: string) => void,
): readonly string[] | 'local-stack' | undefined {
  if (raw === undefined) return 'local-stack';
  const brokers = raw.split(',').map((b) => b.trim());
  const bad = brokers.filter((b) => !/^[a-zA-Z0-9.-]+:\d{1,5}$/.test(b));
  if (bad.length > 0) {
    problem('KAFKA_BROKERS', `"${bad.join(',')}": expected a comma-separated list of host:port`);
    return undefined;
  }
  return Object.freeze(brokers);
}

function parseInteger(
  variable: string,
  raw: string,
  min: number,
  max: number,
  problem: (variable: string, message: string) => void,
): number | undefined {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problem(variable, `"${raw}": expected an integer ${min}–${max}`);
    return undefined;
  }
  return n;
}
