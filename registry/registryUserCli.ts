/**
 * `node --import tsx registry/registryUserCli.ts FILE NAME ROLE < password`: adds a user to a
 * registry users file (or replaces the user's password and role), made 0600 if new. The password
 * is read from standard input (its first line), never from the command line, where other users
 * of the machine could see it. I/O.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { isRegistryRole } from './registryRoles.js';
import { hashRegistryUser, parseRegistryUsersFile, type RegistryUserEntry } from './registryUsers.js';

const USAGE = 'usage: node --import tsx registry/registryUserCli.ts FILE NAME subscriber|service|admin < password';

async function main(): Promise<number> {
  const [file, name, role] = process.argv.slice(2);
  if (file === undefined || name === undefined || role === undefined || !isRegistryRole(role)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const password = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  if (password.length < 12) {
    process.stderr.write('the password (first line of standard input) must have at least 12 characters\n');
    return 2;
  }
  let users: readonly RegistryUserEntry[] = [];
  try {
    const parsed = parseRegistryUsersFile(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    users = parsed.value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      process.stderr.write(`${file}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const entry = await hashRegistryUser(name, role, password);
  const next = [...users.filter((u) => u.name !== name), entry];
  const aside = `${file}.${process.pid}.tmp`;
  await writeFile(aside, `${JSON.stringify({ users: next }, null, 2)}\n`, { mode: 0o600 });
  await rename(aside, file);
  process.stderr.write(`${file}: user ${name} (${role}); the registry reads it at start\n`);
  return 0;
}

process.exitCode = await main();
