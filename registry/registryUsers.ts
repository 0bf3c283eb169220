/**
 * The registry's HTTP Basic users: a JSON file of name, registry role and a salted scrypt hash
 * of the password (never the password), and the check of a presented `user:password` against
 * it: scrypt of the presented password with the user's salt, compared with
 * `crypto.timingSafeEqual`; an unknown user costs the same scrypt as a known one. A
 * `user:password` that passed is remembered (by its SHA-256, with its role) for five minutes
 * so a client's next request costs a lookup, not 30 ms of scrypt; a refusal is never kept.
 * The file is read at start: a changed file takes effect on restart. I/O (the file, scrypt).
 *
 * File format (mode 0600):
 * `{"users":[{"name":"service","role":"service","kdf":"scrypt-N16384-r8-p1","salt":"<base64>","hash":"<base64>"}]}`
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { err, ok, type Result } from '../core/result.js';
import { isRegistryRole, type RegistryRole } from './registryRoles.js';

const KDF = 'scrypt-N16384-r8-p1';
const SCRYPT: ScryptOptions = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export type RegistryUserEntry = {
  readonly name: string;
  readonly role: RegistryRole;
  readonly kdf: typeof KDF;
  readonly salt: string;
  readonly hash: string;
};

export type RegistryUsersFile = { readonly users: readonly RegistryUserEntry[] };

/** Checks a presented name and password; resolves to the user's role, or undefined. */
export type RegistryUsers = {
  verify(name: string, password: string): Promise<RegistryRole | undefined>;
};

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, SCRYPT, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

/** A users-file entry for this password, with a fresh random salt. */
export async function hashRegistryUser(name: string, role: RegistryRole, password: string): Promise<RegistryUserEntry> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt);
  return { name, role, kdf: KDF, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** The users of a parsed users file, or what is wrong with it (no secret in the message). */
export function parseRegistryUsersFile(parsed: unknown): Result<readonly RegistryUserEntry[], string> {
  const users = (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return err('expected {"users": [...]}');
  const seen = new Set<string>();
  for (const [index, user] of users.entries()) {
    const { name, role, kdf, salt, hash } = (user ?? {}) as Record<string, unknown>;
    const where = `users[${index}]`;
    if (typeof name !== 'string' || !NAME.test(name))
      return err(`${where}.name: expected 1–64 letters, digits, ".", "_", "@" or "-"`);
    if (seen.has(name)) return err(`${where}: user "${name}" is listed twice`);
    seen.add(name);
    if (typeof role !== 'string' || !isRegistryRole(role))
      return err(`${where}.role: expected subscriber, service or admin`);
    if (kdf !== KDF) return err(`${where}.kdf: expected "${KDF}"`);
    if (typeof salt !== 'string' || Buffer.from(salt, 'base64').length < SALT_LENGTH)
      return err(`${where}.salt: expected at least ${SALT_LENGTH} bytes, base64`);
    if (typeof hash !== 'string' || Buffer.from(hash, 'base64').length !== KEY_LENGTH)
      return err(`${where}.hash: expected ${KEY_LENGTH} bytes, base64`);
  }
  return ok(users as RegistryUserEntry[]);
}

export function createRegistryUsers(entries: readonly RegistryUserEntry[]): RegistryUsers {
  const byName = new Map(
    entries.map((e) => [
      e.name,
      { role: e.role, salt: Buffer.from(e.salt, 'base64'), hash: Buffer.from(e.hash, 'base64') },
    ]),
  );
  // An unknown name is checked against this, so it takes as long as a known one.
  const decoy = { role: undefined, salt: randomBytes(SALT_LENGTH), hash: randomBytes(KEY_LENGTH) };
  const passed = new PassedCredentials();
  return {
    async verify(name, password) {
      const fingerprint = createHash('sha256').update(name).update('\0').update(password).digest('base64');
      const known = passed.get(fingerprint);
      if (known !== undefined) return known;
      const user = byName.get(name) ?? decoy;
      const derived = await derive(password, user.salt);
      const same = timingSafeEqual(derived, user.hash);
      if (!same || user.role === undefined) return undefined;
      passed.set(fingerprint, user.role);
      return user.role;
    },
  };
}

export class RegistryUsersFileError extends Error {
  readonly code = 'CEL_ERR_REGISTRY_USERS';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryUsersFileError';
  }
}

/** Reads and checks the users file named by `--users`. */
export async function loadRegistryUsers(file: string): Promise<RegistryUsers> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RegistryUsersFileError(
      `registry users file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}`,
      { cause: error },
    );
  }
  const users = parseRegistryUsersFile(parsed);
  if (!users.ok) throw new RegistryUsersFileError(`registry users file ${file}: ${users.error}`);
  return createRegistryUsers(users.value);
}

/** Name and password pairs that passed, by SHA-256: at most 1,000, each for five minutes. */
class PassedCredentials {
  private static readonly MAX_ENTRIES = 1_000;
  private static readonly MAX_AGE_MS = 5 * 60_000;
  private readonly entries = new Map<string, { readonly role: RegistryRole; readonly at: number }>();

  get(fingerprint: string): RegistryRole | undefined {
    const entry = this.entries.get(fingerprint);
    if (entry === undefined) return undefined;
    if (Date.now() - entry.at < PassedCredentials.MAX_AGE_MS) return entry.role;
    this.entries.delete(fingerprint);
    return undefined;
  }

  set(fingerprint: string, role: RegistryRole): void {
    if (this.entries.size >= PassedCredentials.MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(fingerprint, { role, at: Date.now() });
  }
}
