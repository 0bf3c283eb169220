/**
 * `npm run registry -- --users FILE [--port N] [--compatibility LEVEL]`: the embedded schema registry process. Reads
 * its users file (HTTP Basic users and roles) and the bearer token issuer (AUTH_*, else the
 * development issuer under LOCAL_STACK_DIR), creates and migrates the database at
 * DATABASE_URL, listens on 127.0.0.1, prints one ready line to stdout and closes cleanly on
 * SIGTERM or SIGINT. I/O.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { createPool, ensureDatabase } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';
import { buildRegistryApp } from './buildRegistryApp.js';
import { parseRegistryArgs } from './parseRegistryArgs.js';
import { registryTokenVerifier } from './registryAuth.js';
import { loadRegistryUsers } from './registryUsers.js';

const HOST = '127.0.0.1';

const args = parseRegistryArgs(process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`registry: ${args.error}\n`);
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger(config.logLevel).child({ module: 'schema-registry-server' });

try {
  const auth = {
    users: await loadRegistryUsers(args.value.usersFile),
    verifyToken: await registryTokenVerifier(config.auth, config.localStack.dir),
  };
  await ensureDatabase(config.databaseUrl);
  await runMigrations(config.databaseUrl, { logger });
  const pool = createPool(config.databaseUrl, { applicationName: 'cel-schema-registry' });
  const app = buildRegistryApp({
    pool,
    logger,
    auth,
    ...(args.value.defaultCompatibility === undefined ? {} : { defaultCompatibility: args.value.defaultCompatibility }),
  });
  await app.listen({ host: HOST, port: args.value.port });
  const { port } = app.server.address() as AddressInfo;
  process.stdout.write(`registry listening on http://${HOST}:${port}\n`);

  let closing = false;
  const shutDown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'registry shutting down');
    app
      .close()
      .then(() => pool.end())
      .catch((error: unknown) => {
        logger.error({ err: error }, 'registry did not shut down cleanly');
        process.exitCode = 1;
      });
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
} catch (error) {
  logger.error({ err: error }, 'registry start-up failed');
  process.stderr.write(`registry start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
