/**
 * The broker's own perf tools (kafka-tools jars), run as the physical-limit peer for our
 * produce and consume paths. Parses their summary lines. I/O.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ProducerPerfResult = { readonly recordsPerSec: number; readonly mbPerSec: number; readonly p99Ms: number };
/** `fetchRecordsPerSec` excludes the group join, as our own consume figure does. */
export type ConsumerPerfResult = {
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly fetchRecordsPerSec: number;
};

/** "200000 records sent, 44783.0 records/sec (21.87 MB/sec), 1255.00 ms avg latency, 2183.00 ms max latency, …, 2183 ms 99th, …" */
export function parseProducerPerformance(output: string): ProducerPerfResult | undefined {
  const line = output
    .split('\n')
    .filter((l) => l.includes('records sent'))
    .at(-1);
  const m = line && /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).*?(\d+) ms 99th/.exec(line);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { recordsPerSec: Number(m[1]), mbPerSec: Number(m[2]), p99Ms: Number(m[3]) };
}

/** The CSV line after the header "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, …". */
export function parseConsumerPerformance(output: string): ConsumerPerfResult | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const values = header >= 0 ? lines[header + 1]?.split(',').map((v) => v.trim()) : undefined;
  if (values === undefined || values.length < 10) return undefined;
  return { mbPerSec: Number(values[3]), recordsPerSec: Number(values[5]), fetchRecordsPerSec: Number(values[9]) };
}

function toolsJvm(jarsDir: string): string[] {
  return ['-Xmx512m', '-Dlog4j2.configurationFile=none', '-Dlog4j.configuration=none', '-cp', join(jarsDir, '*')];
}

export async function producerPerformance(options: {
  readonly jarsDir: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly records: number;
  readonly recordSize: number;
  readonly extraProps?: readonly string[];
}): Promise<ProducerPerfResult> {
  const { stdout } = await run(
    'java',
    [
      ...toolsJvm(options.jarsDir),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      options.topic,
      '--num-records',
      String(options.records),
      '--record-size',
      String(options.recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      'acks=all',
      'enable.idempotence=true',
      `bootstrap.servers=${options.brokers.join(',')}`,
      ...(options.extraProps ?? []),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result = parseProducerPerformance(stdout);
  if (result === undefined) throw new Error(`ProducerPerformance printed no summary:\n${stdout.slice(-2000)}`);
  return result;
}

export async function consumerPerformance(options: {
  readonly jarsDir: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly records: number;
}): Promise<ConsumerPerfResult> {
  const { stdout } = await run(
    'java',
    [
      ...toolsJvm(options.jarsDir),
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      options.brokers.join(','),
      '--topic',
      options.topic,
      '--messages',
      String(options.records),
      '--timeout',
      '60000',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result = parseConsumerPerformance(stdout);
  if (result === undefined) throw new Error(`ConsumerPerformance printed no summary:\n${stdout.slice(-2000)}`);
  return result;
}
