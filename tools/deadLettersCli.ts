/**
 * `npm run dead-letters -- list [--view gp-view]` and `npm run dead-letters -- redrive <id>`:
 * records a view could not decode or apply, listed with their coordinates and error, and
 * re-driven into their view once the cause is fixed. I/O.
 */

import { parseArgs } from 'node:util';
import { listDeadLetters, readDeadLetter } from '../consumers/deadLetters.js';
import { redriveInItsView } from '../consumers/redriveInItsView.js';
import { loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createPool } from '../platform/postgres.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { runCommand } from '../platform/runCommand.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { topicNames } from '../schemas/topics.js';
import { locateStack } from './locateStack.js';
import { recordCliAccess } from './recordCliAccess.js';

const usage = 'usage: npm run dead-letters -- list [--view <view>] | redrive <id>';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { view: { type: 'string' } } });
  const [command, id] = positionals;
  const config = loadConfig();
  if (command === 'list' || command === 'redrive')
    await recordCliAccess(config, {
      command: `npm run dead-letters -- ${command}`,
      role: 'operator',
      kind: 'ADMIN',
      patients: [],
    });
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    if (command === 'list') {
      const rows = await listDeadLetters(pool, values.view);
      if (rows.length === 0) process.stdout.write('no dead letters\n');
      for (const r of rows) {
        process.stdout.write(
          `${String(r.id).padStart(5)}  ${r.status.padEnd(8)} ${r.view.padEnd(15)} ${r.topic}[${r.partition}]@${r.offset}  ${r.errorCode}: ${r.error}\n`,
        );
      }
      return 0;
    }
    if (command !== 'redrive' || !/^[1-9]\d{0,15}$/.test(id ?? '') || !Number.isSafeInteger(Number(id))) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    const dead = await readDeadLetter(pool, Number(id));
    if (dead === undefined) throw new Error(`no dead letter ${id}; see npm run dead-letters -- list`);
    const registry = createRegistry((await locateStack(config)).registryUrl);
    const schemas = await registerSchemas(registry, projectSchemaRegistrations(topicNames(config.topicNamespace)));
    const codec = createEventCodec(registry, schemas.byEventType);
    const outcome = await redriveInItsView(pool, codec, Number(id));
    if (outcome.kind === 'not-redrivable')
      throw new Error(
        `dead letter ${id} belongs to ${outcome.view}, whose hash chains follow log order: it is not re-driven one record at a time`,
      );
    process.stdout.write(`dead letter ${id}: ${outcome.kind}${'error' in outcome ? ` (${outcome.error})` : ''}\n`);
    return outcome.kind === 'applied' || outcome.kind === 'duplicate' ? 0 : 1;
  } finally {
    await pool.end();
  }
}

runCommand(main);
