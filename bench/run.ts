/**
 * `npm run bench [-- --record] [name…]`: starts a broker of its own (or uses KAFKA_BROKERS),
 * runs every benchmark, and prints one table of metric, ours, peer and ratio. `--record`
 * appends the table with the date and machine to BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startTemporaryKafka } from '../local-stack/temporaryKafka.js';
import { loadConfig } from '../platform/config.js';
import { createPool, dropDatabase, ensureDatabase } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { buildRegistryApp } from '../registry/buildRegistryApp.js';
import { registryTokenVerifier } from '../registry/registryAuth.js';
import { createRegistryUsers, hashRegistryUser } from '../registry/registryUsers.js';
import { accessBenchmark } from './access.bench.js';
import { type Benchmark, type BenchRow, benchLogger } from './benchmark.js';
import { eventSerializationBenchmark } from './eventSerialization.bench.js';
import { exportBenchmark } from './export.bench.js';
import { ingestBenchmark } from './ingest.bench.js';
import { kafkaClientBenchmark } from './kafkaClient.bench.js';
import { replayBenchmark } from './replay.bench.js';
import { transportSecurityBenchmark } from './transportSecurity.bench.js';
import { viewsBenchmark } from './views.bench.js';

const benchmarks: readonly Benchmark[] = [
  kafkaClientBenchmark,
  eventSerializationBenchmark,
  ingestBenchmark,
  viewsBenchmark,
  replayBenchmark,
  exportBenchmark,
  accessBenchmark,
  transportSecurityBenchmark,
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { record: { type: 'boolean', default: false } },
});
const config = loadConfig();
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const scale = Number(process.env.BENCH_SCALE ?? '1');
if (!Number.isFinite(scale) || scale <= 0)
  throw new Error(`BENCH_SCALE="${process.env.BENCH_SCALE}": expected a number > 0`);

const kafka = await startTemporaryKafka(config, { prefix: 'cel-bench-kafka-', onProgress: progress });
const brokers = kafka.brokers;
const jarsDir = kafka.jarsDir;

// A database of its own for the benchmarks (and the embedded registry, unless one is configured).
const benchDatabaseUrl = new URL(config.databaseUrl.toString());
benchDatabaseUrl.pathname = `/cel_bench_${process.pid}`;
await ensureDatabase(benchDatabaseUrl);
await runMigrations(benchDatabaseUrl);
let registryUrl: string;
let stopRegistry = async () => undefined;
if (config.schemaRegistry === 'embedded') {
  const pool = createPool(benchDatabaseUrl, { max: 4 });
  // As the local stack runs it: FULL_TRANSITIVE by default, the benchmarks its `service` user.
  const password = randomBytes(16).toString('hex');
  const auth = {
    users: createRegistryUsers([await hashRegistryUser('service', 'service', password)]),
    verifyToken: await registryTokenVerifier(config.auth, config.localStack.dir),
  };
  const app = buildRegistryApp({ pool, logger: benchLogger(), auth, defaultCompatibility: 'FULL_TRANSITIVE' });
  const origin = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  origin.username = 'service';
  origin.password = password;
  registryUrl = origin.toString().replace(/\/$/, '');
  stopRegistry = async () => {
    await app.close();
    await pool.end();
  };
} else {
  registryUrl = config.schemaRegistry.toString();
}

const selected = benchmarks.filter((b) => positionals.length === 0 || positionals.includes(b.name));
const rows: { bench: string; row: BenchRow }[] = [];
const failures: { bench: string; message: string }[] = [];
try {
  for (const benchmark of selected) {
    progress(`${benchmark.name}: running`);
    // A benchmark that fails is reported and the others still run: one broken measurement
    // must not throw away the rest of a long run.
    const result = await benchmark
      .run({
        kafkaBrokers: brokers,
        kafkaJarsDir: jarsDir,
        kafkaVersion: config.localStack.kafkaVersion,
        databaseUrl: benchDatabaseUrl,
        registryUrl,
        scale,
        progress: (m) => progress(`${benchmark.name}: ${m}`),
      })
      .catch((error: unknown) => {
        failures.push({ bench: benchmark.name, message: error instanceof Error ? error.message : String(error) });
        progress(
          `${benchmark.name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return [] as readonly BenchRow[];
      });
    for (const row of result) rows.push({ bench: benchmark.name, row });
  }
} finally {
  await kafka.stop();
  await stopRegistry();
  await dropDatabase(benchDatabaseUrl);
}

const fmt = (n: number | undefined) =>
  n === undefined ? '–' : n >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(2);
const ratio = (r: BenchRow) => {
  if (r.peer === undefined || r.peer === 0) return '–';
  const percent = (r.higherIsBetter ? r.ours / r.peer : r.peer / r.ours) * 100;
  return `${percent.toFixed(percent < 10 ? 1 : 0)} %`;
};
const table = [
  '| benchmark | metric | ours | peer | peer is | ours/peer |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    ({ bench, row }) =>
      `| ${bench} | ${row.metric} | ${fmt(row.ours)} | ${fmt(row.peer)} | ${row.peerName} | ${ratio(row)} |`,
  ),
].join('\n');
const failed = failures.map((f) => `- ${f.bench}: failed: ${f.message}`).join('\n');
process.stdout.write(`${table}\n${failed === '' ? '' : `\n${failed}\n`}`);
if (failures.length > 0) process.exitCode = 1;

if (values.record === true) {
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Kafka ${config.localStack.kafkaVersion} (1 local broker), scale ${scale}`;
  await appendFile(
    new URL('../BENCHMARKS.md', import.meta.url),
    `\n## ${new Date().toISOString().slice(0, 10)} — ${machine}\n\n${table}\n${failed === '' ? '' : `\n${failed}\n`}`,
  );
  progress('appended to BENCHMARKS.md');
}
