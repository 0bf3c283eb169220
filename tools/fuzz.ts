/**
 * `npm run fuzz -- [--runs N] [--seed S] [--survey] [--minutes M]`: runs the property-based
 * end-to-end suite (test/e2e/hostileInput.e2e.test.ts) longer than CI does, against the same
 * in-process stack the tests start (a Kafka broker from the local-stack jars, PostgreSQL at
 * DATABASE_URL). Each run is a batch of 1–6 generated inputs (one or two deliveries each).
 * Prints the seed first and progress as it goes; a failure prints the seed, the path and the
 * shrunk counterexample (re-run with the same `--seed` to reproduce). `--survey` does not stop
 * at the first broken input: it collects every violation class with a count and an example.
 * Exit 0 when the invariant held, 1 when it did not, 2 on a usage error. I/O.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const usage =
  'usage: npm run fuzz -- [--runs N (default 500)] [--seed S (default: random)] [--survey] [--minutes M (default: no limit)]';

function parse(): { runs: number; seed: number; survey: boolean; minutes: number | undefined } | undefined {
  try {
    const { values } = parseArgs({
      options: {
        runs: { type: 'string', default: '500' },
        seed: { type: 'string' },
        survey: { type: 'boolean', default: false },
        minutes: { type: 'string' },
      },
    });
    const runs = Number(values.runs);
    const seed = values.seed === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(values.seed);
    const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
    if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) return undefined;
    if (minutes !== undefined && !(minutes > 0)) return undefined;
    return { runs, seed, survey: values.survey, minutes };
  } catch {
    return undefined;
  }
}

const args = parse();
if (args === undefined) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
// Without a time limit, allow about 3 s a batch (a loaded machine) before the run counts as hung.
const limitMs = args.minutes === undefined ? args.runs * 3000 + 60_000 : args.minutes * 60_000;
process.stderr.write(`[fuzz] seed ${args.seed}, ${args.runs} runs${args.survey ? ', survey' : ''}\n`);
const child = spawn(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration', 'test/e2e/hostileInput.e2e.test.ts'],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      CEL_FUZZ_RUNS: String(args.runs),
      CEL_FUZZ_SEED: String(args.seed),
      CEL_FUZZ_SURVEY: args.survey ? '1' : '0',
      CEL_FUZZ_PROGRESS: '1',
      CEL_FUZZ_TIME_LIMIT_MS: String(limitMs),
    },
  },
);
child.on('exit', (code) => {
  process.stderr.write(`[fuzz] seed ${args.seed}: ${code === 0 ? 'the invariant held' : 'the invariant was broken'}\n`);
  process.exit(code === 0 ? 0 : 1);
});
