/** Runs `npm run stack -- <args>` as an operator would, in a child process with the given environment. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;

export type CliResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

export function runStackCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  return runTool('local-stack/cli.ts', args, env);
}

/** Runs one of the project's command-line entry points (`tools/logTail.ts` …) the same way. */
export async function runTool(
  entry: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: repoRoot,
      env: { ...env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
