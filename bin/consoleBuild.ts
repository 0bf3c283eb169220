/**
 * The console's build (console/ → console/dist with Vite) from the service's own commands:
 * whether the built shell is missing or older than its sources, and the build itself
 * (`vite build console`). In a compiled copy (dist/, the Docker image) there are no sources and
 * nothing to build. I/O (the file system, the Vite process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newestChange = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
};

/** True when `root`/console has sources and its dist/index.html is missing or older than any of them. */
export function consoleBuildIsStale(root: string): boolean {
  const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => join(root, 'console', name));
  if (!existsSync(sources[0] ?? '')) return false;
  const built = join(root, 'console', 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((source) => existsSync(source) && newestChange(source) > builtAt);
}

/** Builds the console into `root`/console/dist; the error names the command to run by hand. */
export function buildConsole(root: string): void {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', 'console', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0)
    throw new Error(`the console's build failed (npm run console:build, exit ${result.status ?? result.signal})`);
}
