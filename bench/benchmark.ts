/** What a benchmark is: a name and a function returning rows of (metric, ours, peer). */

export type BenchContext = {
  readonly kafkaBrokers: readonly string[];
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
