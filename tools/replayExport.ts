/**
 * `npm run replay -- export --from <instant> --to <instant> [--time record|clinical]
 * [--kinds Type,…] [--format jsonl|csv|parquet] [--out file]`: a window of the canonical log,
 * decoded, to a file or stdout in (partition, offset) order. The output holds the events and
 * nothing about the run, so the same window gives the same bytes; the run's topic, plan, rate
 * and progress go to stderr. A file is written as `<file>.partial` and renamed when complete.
 * I/O.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { encodeRows, exportFormats } from '../replay/encodeRows.js';
import { describeWindowProblem, parseReplayWindow, type ReplayWindow } from '../replay/parseReplayWindow.js';
import type { WindowPlan } from '../replay/planWindowOffsets.js';
import { type LogSource, planWindow, readWindow, type WindowProgress } from '../replay/readWindow.js';
import { topicNames } from '../schemas/topics.js';
import { locateStack } from './locateStack.js';
import { recordCliAccess } from './recordCliAccess.js';

const usage = `usage: npm run replay -- export --from <ISO instant> --to <ISO instant> [--time record|clinical]
       [--kinds PatientDischarged,DiagnosisRecorded,…] [--format jsonl|csv|parquet] [--out file]
  --time record    (default) the Kafka record timestamp: the producer's CreateTime, when the event was written
  --time clinical  the event's occurredAt; reads from the first record written at or after --from to the end of the log`;

const say = (line: string) => process.stderr.write(`replay export: ${line}\n`);

function describeRun(topic: string, window: ReplayWindow, format: string, plan: WindowPlan): string {
  const kinds = window.kinds === undefined ? 'all kinds' : [...window.kinds].join(',');
  const ranges = plan.ranges.map((r) => `${r.partition}:[${r.start},${r.end})`).join(' ');
  return (
    `${topic}, ${window.time} time [${window.from.toISOString()}, ${window.to.toISOString()}), ${kinds}, ${format}\n` +
    `replay export: plan: ${plan.offsets} offsets; partition:[start,end) ${ranges}`
  );
}

const percentOf = (p: WindowProgress) =>
  p.offsetsPlanned === 0n ? 100 : Number((p.offsetsRead * 1000n) / p.offsetsPlanned) / 10;

/** A progress line at most once a second, and the last figures for the summary. */
function progressReporter() {
  const startedAt = performance.now();
  let reportedAt = startedAt;
  let latest: WindowProgress = { offsetsRead: 0n, offsetsPlanned: 0n, events: 0 };
  const rate = (now: number) => Math.round(latest.events / Math.max((now - startedAt) / 1000, 0.001));
  return {
    update(progress: WindowProgress) {
      latest = progress;
      const now = performance.now();
      if (now - reportedAt < 1000) return;
      reportedAt = now;
      say(`${progress.events} events, ${rate(now)} events/s, ${percentOf(progress)} % of the window's offsets`);
    },
    summary(): string {
      const now = performance.now();
      return (
        `${latest.events} events from ${latest.offsetsRead} offsets (${percentOf(latest)} % of the window's) ` +
        `in ${((now - startedAt) / 1000).toFixed(1)} s, ${rate(now)} events/s`
      );
    },
  };
}

export async function run(args: readonly string[]): Promise<number> {
  let values: {
    from?: string | undefined;
    to?: string | undefined;
    time?: string | undefined;
    kinds?: string | undefined;
    format?: string | undefined;
    out?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    values = parseArgs({
      args: [...args],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        time: { type: 'string' },
        kinds: { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }

  const window = parseReplayWindow({ from: values.from, to: values.to, kinds: values.kinds, time: values.time });
  const problems = window.ok ? [] : window.error.map(describeWindowProblem);
  const format = exportFormats.find((f) => f === values.format);
  if (format === undefined) problems.push(`format "${values.format}": expected ${exportFormats.join(', ')}`);
  if (format === 'parquet' && values.out === undefined && process.stdout.isTTY === true)
    problems.push('format parquet is binary: give --out <file> or redirect stdout');
  if (!window.ok || format === undefined || problems.length > 0) {
    for (const problem of problems) say(problem);
    process.stderr.write(`${usage}\n`);
    return 2;
  }

  const config = loadConfig();
  await recordCliAccess(config, { command: 'npm run replay -- export', role: 'analyst', kind: 'EXPORT', patients: [] });
  const stack = await locateStack(config);
  const topic = topicNames(config.topicNamespace).canonical;
  // Decoding looks schemas up by the id each record carries: a reader registers nothing.
  const source: LogSource = {
    kafka: createKafkaClient({
      brokers: stack.brokers,
      clientId: 'cel-replay-export',
      security: stack.security,
    }),
    topic,
    codec: createEventCodec(createRegistry(stack.registryUrl), new Map()),
  };
  const plan = await planWindow(source, window.value);
  say(describeRun(topic, window.value, format, plan));

  const progress = progressReporter();
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const partial = values.out === undefined ? undefined : `${values.out}.partial`;
  const output: Writable = partial === undefined ? process.stdout : createWriteStream(partial);
  try {
    const rows = readWindow(source, window.value, plan, (p) => progress.update(p));
    await pipeline(Readable.from(encodeRows(format, rows)), output, { signal: abort.signal });
    if (partial !== undefined && values.out !== undefined) await rename(partial, values.out);
  } catch (error) {
    if (partial !== undefined) await rm(partial, { force: true });
    if (abort.signal.aborted) {
      say(`stopped: ${progress.summary()}`);
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  say(`done: ${progress.summary()}${values.out === undefined ? '' : `; wrote ${values.out}`}`);
  return 0;
}
