/** Reads the registry process's command line (`--users FILE [--port N] [--compatibility LEVEL]`). Pure. */
import { err, ok, type Result } from '../core/result.js';
import { type CompatibilityLevel, compatibilityLevels, parseCompatibilityLevel } from './compatibilityLevel.js';

export const DEFAULT_REGISTRY_PORT = 18081;

export type RegistryArgs = {
  /** 0 asks the operating system for a free port; the ready line says which. */
  readonly port: number;
  /** The users file (registryUsers.ts): who may log in with HTTP Basic, as which role. */
  readonly usersFile: string;
  /** The global level until an admin sets one (Confluent's `schema.compatibility.level`); unset, BACKWARD. */
  readonly defaultCompatibility: CompatibilityLevel | undefined;
};

const USAGE = 'expected --users FILE [--port N] [--compatibility LEVEL]';
const OPTIONS = ['port', 'users', 'compatibility'] as const;

export function parseRegistryArgs(argv: readonly string[]): Result<RegistryArgs, string> {
  let port = DEFAULT_REGISTRY_PORT;
  let usersFile: string | undefined;
  let defaultCompatibility: CompatibilityLevel | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const inline = /^--([a-z]+)=(.*)$/.exec(arg);
    const name = OPTIONS.find((o) => o === (inline?.[1] ?? (arg.startsWith('--') ? arg.slice(2) : undefined)));
    if (name === undefined) return err(`unknown argument "${arg}": ${USAGE}`);
    const raw = inline?.[2] ?? argv[++i];
    if (name === 'users') {
      if (raw === undefined || raw === '') return err(`--users: ${USAGE}`);
      usersFile = raw;
    } else if (name === 'compatibility') {
      defaultCompatibility = parseCompatibilityLevel(raw);
      if (defaultCompatibility === undefined)
        return err(`--compatibility ${raw ?? ''}: expected one of ${compatibilityLevels.join(', ')}`);
    } else {
      const n = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n > 65_535) return err(`--port ${raw ?? ''}: expected a port 0–65535`);
      port = n;
    }
  }
  if (usersFile === undefined)
    return err(`--users FILE is required: every route but GET / needs credentials (${USAGE}; registry/README.md)`);
  return ok({ port, usersFile, defaultCompatibility });
}
