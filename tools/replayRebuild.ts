/**
 * `npm run replay -- rebuild <view> [--drop-old]`: builds a new version of a view from offset 0
 * into shadow tables while the live one keeps serving, swaps it in atomically when caught up,
 * and prints the checksums of the live view before the swap and of the rebuilt one. Progress
 * goes to stderr, the outcome to stdout. Ctrl-C (or kill -9) leaves the live view untouched;
 * running it again resumes. `--drop-old` then drops the retired versions. For fault tests,
 * CEL_FAILPOINT=mid-batch:<n> kills the process (SIGKILL) inside its n-th batch and
 * CEL_MAX_BATCH_BYTES shrinks fetches. I/O.
 */
import { parseArgs } from 'node:util';
import { viewNames } from '../consumers/views.js';
import { loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createLogger } from '../platform/logger.js';
import { createPool, isPgError } from '../platform/postgres.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { isRebuildableView, rebuildableViews } from '../replay/rebuildableViews.js';
import { describeOffsets, sameOffsets } from '../replay/rebuildProgress.js';
import { type RebuildOutcome, rebuildView } from '../replay/rebuildView.js';
import type { SwappedSide } from '../replay/swapViewVersion.js';
import { topicNames } from '../schemas/topics.js';
import { locateStack } from './locateStack.js';

const usage = `usage: npm run replay -- rebuild <view> [--drop-old]
  <view>      ${viewNames.join(', ')}
  --drop-old  after the swap, drop the retired versions' tables and progress`;

const say = (line: string) => process.stderr.write(`replay rebuild: ${line}\n`);

const describeSide = (name: string, what: string, side: SwappedSide): string =>
  `${name} ${what} v${side.version}: checksum ${side.checksum.md5}, ${side.checksum.rows} rows ` +
  `(${side.checksum.tables.map((t) => `${t.table} ${t.rows} rows ${t.md5}`).join('; ')}) ` +
  `at offsets ${describeOffsets(side.offsets)}`;

function report(view: string, outcome: Extract<RebuildOutcome, { kind: 'swapped' }>): void {
  const { compared, swappedAt, retiredTables } = outcome.swap;
  const { live, rebuilt } = compared;
  const lines = [describeSide(view, 'live', live), describeSide(view, 'rebuilt', rebuilt)];
  if (!sameOffsets(live.offsets, rebuilt.offsets)) {
    lines.push(
      `${view}: checksums not comparable: the live view had not applied the same offsets (was its consumer running?)`,
    );
  } else if (live.checksum.md5 === rebuilt.checksum.md5) {
    lines.push(`${view}: rebuild equals live`);
  } else {
    lines.push(`${view}: rebuild differs from live at the same offsets (expected only if the fold has changed)`);
  }
  lines.push(
    sameOffsets(swappedAt.live, swappedAt.rebuilt)
      ? `${view}: swapped at offsets ${describeOffsets(swappedAt.rebuilt)}, both versions having applied the same records since the comparison`
      : `${view}: swapped without the live view at the same offsets (live ${describeOffsets(swappedAt.live)}, rebuilt ${describeOffsets(swappedAt.rebuilt)}): the live consumer goes on from the rebuilt offsets`,
  );
  lines.push(
    `${view}: v${rebuilt.version} is live; v${live.version} retired as ${Object.values(retiredTables).join(', ')}` +
      (outcome.dropped.length > 0 ? '' : ' (drop it with --drop-old)'),
  );
  for (const dropped of outcome.dropped)
    lines.push(`${view}: dropped v${dropped.version} (${dropped.tables.join(', ')})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function run(args: readonly string[]): Promise<number> {
  let parsed: { positionals: string[]; values: { 'drop-old'?: boolean | undefined; help?: boolean | undefined } };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { 'drop-old': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || extra.length > 0 || !isRebuildableView(name)) {
    if (name !== undefined && !isRebuildableView(name))
      say(`"${name}" is not a view; expected ${viewNames.join(', ')}`);
    process.stderr.write(`${usage}\n`);
    return 2;
  }

  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const stack = await locateStack(config);
  // The fault-test settings (platform/config.ts): a rebuild has only the mid-batch failpoint.
  const { maxBatchBytes, failpoint } = config.views;
  const killInBatch = failpoint?.at === 'mid-batch' ? failpoint.batch : undefined;
  // A rebuild creates, renames and drops tables: it runs as the schema's owner when one is configured.
  const pool = createPool(config.databaseMigrationUrl ?? config.databaseUrl, {
    max: 6,
    applicationName: 'cel-replay-rebuild',
    logger,
  });
  const abort = new AbortController();
  const stop = () => {
    say('stopping after the batch in hand (Ctrl-C again to quit at once; the rebuild resumes either way)');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let batches = 0;
  try {
    const outcome = await rebuildView(
      {
        kafka: createKafkaClient({
          brokers: stack.brokers,
          clientId: `${config.kafkaClientId}-rebuild`,
          logger,
          security: stack.security,
        }),
        pool,
        // Decoding looks schemas up by the id each record carries: a reader registers nothing.
        codec: createEventCodec(createRegistry(stack.registryUrl), new Map()),
        topic: topicNames(config.topicNamespace).canonical,
        groupPrefix: config.topicNamespace,
        logger,
        progress: say,
        signal: abort.signal,
        ...(maxBatchBytes === undefined ? {} : { maxBytesPerPartition: maxBatchBytes }),
        ...(killInBatch === undefined
          ? {}
          : {
              failpoints: {
                midBatch: async () => {
                  batches += 1;
                  if (batches >= killInBatch) process.kill(process.pid, 'SIGKILL');
                },
              },
            }),
      },
      rebuildableViews[name],
      { dropOld: parsed.values['drop-old'] === true },
    );
    if (outcome.kind === 'interrupted') return 130;
    report(name, outcome);
    return 0;
  } catch (error) {
    if (isPgError(error) && error.code === '42P01' && /view_versions/.test(error.message)) {
      throw new Error('view_versions does not exist: apply the migrations first (npm run migrate)', { cause: error });
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await pool.end();
  }
}
