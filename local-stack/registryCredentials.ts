/**
 * The embedded registry's credentials on the local stack, made once under
 * `<LOCAL_STACK_DIR>/registry/credentials/` and reused afterwards: a random password per
 * registry role (`admin`, `service`, `subscriber`), each in `<role>.basic-auth` as `role:password`
 * (Confluent's `basic.auth.user.info` format, what SCHEMA_REGISTRY_BASIC_AUTH_FILE takes), and
 * `users.json`, the registry's users file of salted scrypt hashes (registry/registryUsers.ts).
 * Files are mode 0600, the directories 0700. Made in a scratch directory and renamed into place,
 * so two starts at once end with one set and a half-made set is never used. I/O.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadRegistryCredentials, type RegistryCredentials } from '../platform/registryCredentials.js';
import { type RegistryRole, registryRoles } from '../registry/registryRoles.js';
import { hashRegistryUser, type RegistryUsersFile } from '../registry/registryUsers.js';

const COMPLETE_MARKER = '.complete';

export type RegistryCredentialFiles = {
  readonly dir: string;
  /** The registry process's users file (`--users`). */
  readonly usersFile: string;
  /** Per role, a `role:password` file a client logs in with. */
  readonly basicAuth: Readonly<Record<RegistryRole, string>>;
};

export function registryCredentialFiles(stackDir: string): RegistryCredentialFiles {
  const dir = join(stackDir, 'registry', 'credentials');
  return {
    dir,
    usersFile: join(dir, 'users.json'),
    basicAuth: Object.fromEntries(registryRoles.map((role) => [role, join(dir, `${role}.basic-auth`)])) as Record<
      RegistryRole,
      string
    >,
  };
}

export class RegistryCredentialsMaterialError extends Error {
  readonly code = 'CEL_ERR_REGISTRY_CREDENTIALS';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryCredentialsMaterialError';
  }
}

/** Whether the set was made (and completely). */
export function hasRegistryCredentials(stackDir: string): boolean {
  return existsSync(join(registryCredentialFiles(stackDir).dir, COMPLETE_MARKER));
}

/** The credential files under `stackDir`, made first if they are not there yet. */
export async function ensureRegistryCredentials(stackDir: string): Promise<RegistryCredentialFiles> {
  const files = registryCredentialFiles(stackDir);
  if (hasRegistryCredentials(stackDir)) return files;
  await mkdir(dirname(files.dir), { recursive: true, mode: 0o700 });
  const staging = `${files.dir}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { mode: 0o700 });
  try {
    const stagingFiles = registryCredentialFiles(stackDir);
    const users: RegistryUsersFile['users'][number][] = [];
    for (const role of registryRoles) {
      // base64url: nothing to quote in a URL's user info, a shell or a properties file.
      const password = randomBytes(24).toString('base64url');
      await writeFile(join(staging, `${role}.basic-auth`), `${role}:${password}\n`, { mode: 0o600 });
      users.push(await hashRegistryUser(role, role, password));
    }
    const usersFile: RegistryUsersFile = { users };
    await writeFile(join(staging, 'users.json'), `${JSON.stringify(usersFile, null, 2)}\n`, { mode: 0o600 });
    await writeFile(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`, { mode: 0o600 });
    try {
      await rename(staging, stagingFiles.dir);
    } catch (error) {
      // Another start made the set first (the target exists and is not empty): use theirs.
      if (hasRegistryCredentials(stackDir)) return files;
      throw new RegistryCredentialsMaterialError(
        `${files.dir} exists but holds no complete set of registry credentials (${(error as Error).message}); remove it to make a new set (the registry is restarted with it on the next up)`,
        { cause: error },
      );
    }
    return files;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The credentials of `role` on this stack, or undefined when the set was never made. */
export async function readRegistryCredentials(
  stackDir: string,
  role: RegistryRole,
): Promise<RegistryCredentials | undefined> {
  if (!hasRegistryCredentials(stackDir)) return undefined;
  return loadRegistryCredentials({ kind: 'basic-auth-file', file: registryCredentialFiles(stackDir).basicAuth[role] });
}
