/**
 * `npm run views`: a process that only keeps the views current (scale out by running more;
 * each view is one consumer group). Connects to the configured (or local) stack, starts one
 * group member per view, finishes the batch in hand on SIGTERM/SIGINT. For fault tests,
 * CEL_FAILPOINT=mid-batch:<n> or after-commit:<n> kills the process (SIGKILL) at the n-th
 * batch, and CEL_MAX_BATCH_BYTES shrinks fetches. I/O.
 */
import { stackUp } from '../local-stack/stack.js';
import { loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createLogger } from '../platform/logger.js';
import { createPool } from '../platform/postgres.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { topicNames } from '../schemas/topics.js';
import { runnableAuditIndexes } from './auditIndexes.js';
import { createDeadLetterPublisher } from './deadLetterPublisher.js';
import { createViewConsumer, type ViewConsumer } from './runViewConsumer.js';
import { liveViews, type ViewName, viewNames } from './views.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

/** Reads the optional fault-test settings; they are not product configuration. */
function failpointFromEnvironment(): { readonly at: 'mid-batch' | 'after-commit'; readonly batch: number } | undefined {
  const raw = process.env.CEL_FAILPOINT;
  const match = raw === undefined ? null : /^(mid-batch|after-commit):(\d+)$/.exec(raw);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { at: match[1] as 'mid-batch' | 'after-commit', batch: Number(match[2]) };
}

/** Consumers started so far: stopped again if a later one cannot start, so the process exits. */
const consumers: ViewConsumer[] = [];

try {
  const stack = await stackUp(config, { logger, onProgress: (m) => process.stderr.write(`${m}\n`) });
  const topics = topicNames(config.topicNamespace);
  const pool = createPool(config.databaseUrl, { logger, applicationName: 'cel-views' });
  const kafka = createKafkaClient({ brokers: stack.brokers, clientId: `${config.kafkaClientId}-views`, logger });
  const eventCodec = createEventCodec(stack.registry, stack.schemas.byEventType);
  const recordCodec = createRecordCodec(stack.registry, stack.schemas.byRecordName);
  const deadLetters = createDeadLetterPublisher(kafka, recordCodec, topics['dead-letter'], () => new Date());
  const failpoint = failpointFromEnvironment();
  let batches = 0;
  const maybeDie = (at: 'mid-batch' | 'after-commit') => async () => {
    if (failpoint?.at !== at) return;
    batches += 1;
    if (batches >= failpoint.batch) process.kill(process.pid, 'SIGKILL');
  };
  const selected = (process.env.CEL_VIEWS?.split(',') ?? viewNames).filter((v): v is ViewName => v in liveViews);
  // The audit indexes run here only when CEL_VIEWS names them (`npm start` runs them itself).
  const indexes = runnableAuditIndexes(recordCodec).filter((i) => process.env.CEL_VIEWS?.split(',').includes(i.name));
  const maxBytes = Number(process.env.CEL_MAX_BATCH_BYTES ?? 4 * 1024 * 1024);
  for (const name of selected) {
    const view = liveViews[name];
    const common = {
      kafka,
      pool,
      topic: topics.canonical,
      codec: eventCodec,
      groupId: `${config.topicNamespace}.${name}`,
      logger,
      publishDeadLetters: (records: Parameters<typeof deadLetters.publish>[0]) => deadLetters.publish(records),
      maxBytesPerPartition: maxBytes,
      failpoints: { midBatch: maybeDie('mid-batch'), afterCommitBeforeKafkaCommit: maybeDie('after-commit') },
    };
    // Each view has its own state type; the switch keeps each call typed.
    const consumer =
      name === 'gp-view'
        ? createViewConsumer({ ...common, view: liveViews['gp-view'] })
        : name === 'pharmacy-view'
          ? createViewConsumer({ ...common, view: liveViews['pharmacy-view'] })
          : createViewConsumer({ ...common, view: liveViews['care-plan-view'] });
    await consumer.start();
    consumers.push(consumer);
    logger.info({ view: view.name }, 'view consumer started');
  }
  for (const index of indexes) {
    const consumer = index.consumer({
      kafka,
      pool,
      topic: topics[index.reads ?? 'canonical'],
      codec: eventCodec,
      groupId: `${config.topicNamespace}.${index.name}`,
      logger,
      publishDeadLetters: (records) => deadLetters.publish(records),
      maxBytesPerPartition: maxBytes,
      failpoints: { midBatch: maybeDie('mid-batch'), afterCommitBeforeKafkaCommit: maybeDie('after-commit') },
    });
    await consumer.start();
    consumers.push(consumer);
    logger.info({ view: index.name }, 'log index consumer started');
  }
  process.stdout.write(`views running: ${[...selected, ...indexes.map((i) => i.name)].join(', ')}\n`);
  const stop = () => {
    Promise.all(consumers.map((c) => c.stop()))
      .then(() => deadLetters.close())
      .then(() => pool.end())
      .catch((error: unknown) => {
        logger.error({ err: error }, 'views did not stop cleanly');
        process.exitCode = 1;
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  logger.error({ err: error }, 'views start-up failed');
  process.stderr.write(`views start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
  await Promise.allSettled(consumers.map((c) => c.stop()));
  process.exit(1); // the pool and the Kafka clients made before the failure would keep the process alive
}
