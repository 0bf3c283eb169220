/**
 * `npm run replay -- <subcommand> …`: replays of the canonical log. Each subcommand is a file
 * of its own (tools/replayExport.ts, …) exporting `run(args)`, which returns the exit code:
 * 0 done, 1 failed, 2 bad usage or parameters. I/O.
 */
import { runCommand } from '../platform/runCommand.js';

type Subcommand = {
  readonly summary: string;
  readonly load: () => Promise<{ run(args: readonly string[]): Promise<number> }>;
};

const subcommands: Readonly<Record<string, Subcommand>> = {
  export: {
    summary: 'a window of events (record or clinical time, some kinds) to a file or stdout: jsonl, csv or parquet',
    load: () => import('./replayExport.js'),
  },
  rebuild: {
    summary: 'a new version of a view from offset 0, swapped in atomically when caught up: rebuild <view> [--drop-old]',
    load: () => import('./replayRebuild.js'),
  },
};

const usage = [
  'usage: npm run replay -- <subcommand> [options]',
  ...Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(8)} ${s.summary}`),
  'npm run replay -- <subcommand> --help for its options',
].join('\n');

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const subcommand = name !== undefined && Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (subcommand === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  return (await subcommand.load()).run(args);
}

runCommand(main);
