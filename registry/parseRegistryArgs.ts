/** Reads the registry process's command line (`--port N`). Pure. */
import { err, ok, type Result } from '../core/result.js';

export const DEFAULT_REGISTRY_PORT = 18081;

export type RegistryArgs = {
  /** 0 asks the operating system for a free port; the ready line says which. */
  readonly port: number;
};

export function parseRegistryArgs(argv: readonly string[]): Result<RegistryArgs, string> {
  let port = DEFAULT_REGISTRY_PORT;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const inline = /^--port=(.*)$/.exec(arg);
    if (arg !== '--port' && inline === null) return err(`unknown argument "${arg}": expected --port N`);
    const raw = inline?.[1] ?? argv[++i];
    const n = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(n) || n > 65_535) return err(`--port ${raw ?? ''}: expected a port 0–65535`);
    port = n;
  }
  return ok({ port });
}
