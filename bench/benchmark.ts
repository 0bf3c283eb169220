/** What a benchmark is: a name and a function returning rows of (metric, ours, peer). */
import type { LogLevel } from '../platform/config.js';
import type { KafkaClientSecurity } from '../platform/kafkaSecurity.js';
import { createLogger, type Logger } from '../platform/logger.js';

export type BenchContext = {
  readonly kafkaBrokers: readonly string[];
  /** How to log in to those brokers (TLS, SASL); none for the run's own plain broker. */
  readonly kafkaSecurity?: KafkaClientSecurity;
  readonly kafkaJarsDir: string;
  readonly kafkaVersion: string;
  readonly databaseUrl: URL;
  /** A Confluent-compatible registry: SCHEMA_REGISTRY_URL, or the embedded one on a bench database. */
  readonly registryUrl: string;
  /** Scale factor from BENCH_SCALE (default 1): record counts multiply by it. */
  readonly scale: number;
  readonly progress: (message: string) => void;
};

export type BenchRow = {
  readonly metric: string;
  readonly unit: string;
  readonly ours: number;
  /** The peer measured in the same run, and what it is. */
  readonly peer: number | undefined;
  readonly peerName: string;
  /** true when a larger number is better (throughput), false for latency and sizes. */
  readonly higherIsBetter: boolean;
};

export type Benchmark = {
  readonly name: string;
  readonly run: (context: BenchContext) => Promise<readonly BenchRow[]>;
};

/** Nearest-rank percentile, in the samples' unit. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The code under measurement logs at BENCH_LOG_LEVEL (default error: logging is not what is measured). */
export function benchLogger(): Logger {
  const level = process.env.BENCH_LOG_LEVEL ?? 'error';
  if (!logLevels.includes(level as LogLevel))
    throw new Error(`BENCH_LOG_LEVEL="${level}": expected one of ${logLevels.join(', ')}`);
  return createLogger(level as LogLevel);
}
