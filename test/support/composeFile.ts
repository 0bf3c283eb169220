/**
 * compose.yaml as the tests read it: parsed, with Docker Compose's interpolation of
 * `${NAME:-default}` (nothing set in the shell), and the server.properties the apache/kafka
 * image renders from a service's KAFKA_* environment. I/O (reads compose.yaml).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ComposeService = {
  image?: string;
  build?: unknown;
  user?: string;
  restart?: string;
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  secrets?: string[];
  ports?: unknown[];
  volumes?: string[];
  healthcheck?: { test: unknown };
};

export type ComposeFile = {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
  networks?: { default?: { ipam?: { config?: { subnet?: string; gateway?: string }[] } } };
};

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

export const compose = parse(readFileSync(`${REPO_ROOT}compose.yaml`, 'utf8')) as ComposeFile;

/** Compose's interpolation with nothing set in the shell: `${NAME:-default}` is its default. */
export function interpolated(value: string | number): string {
  return String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    if (fallback === undefined) throw new Error(`\${${name}} has no default in compose.yaml`);
    return fallback;
  });
}

/** A service's environment as its container sees it. */
export function environmentOf(service: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(compose.services[service]?.environment ?? {}).map(([k, v]) => [k, interpolated(v)] as const),
  );
}

/** Variables the image's start passes to the JVM rather than into server.properties. */
const NOT_PROPERTIES = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
]);

/**
 * server.properties as the apache/kafka image renders it from KAFKA_* (its KafkaDockerWrapper):
 * KAFKA_ dropped, lower case, "_" to ".", then "..." to "-" and ".." to "_".
 */
export function kafkaPropertiesOf(environment: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(environment)
      .filter(([key]) => key.startsWith('KAFKA_') && !NOT_PROPERTIES.has(key))
      .map(([key, value]) => [
        key.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.').replaceAll('...', '-').replaceAll('..', '_'),
        value,
      ]),
  );
}
