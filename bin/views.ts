/**
 * `npm run views`: a process that only keeps the views current (scale out by running more;
 * each view is one consumer group). Connects to the configured (or local) stack, starts one
 * group member per view (CEL_VIEWS chooses; see platform/config.ts), finishes the batch in hand
 * on SIGTERM/SIGINT. For fault tests, CEL_FAILPOINT=mid-batch:<n> or after-commit:<n> kills
 * the process (SIGKILL) at the n-th batch, and CEL_MAX_BATCH_BYTES shrinks fetches. I/O.
 */
import { runnableAuditIndexes } from '../consumers/auditIndexes.js';
import { createDeadLetterPublisher } from '../consumers/deadLetterPublisher.js';
import type { ViewConsumer } from '../consumers/runViewConsumer.js';
import { groupIdOf } from '../consumers/runViews.js';
import { selectViews } from '../consumers/selectViews.js';
import { runnableViews } from '../consumers/views.js';
import { stackUp } from '../local-stack/stack.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createLogger } from '../platform/logger.js';
import { createPool } from '../platform/postgres.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { startTracing } from '../platform/tracing.js';
import { topicNames } from '../schemas/topics.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const tracing = startTracing(config.tracing, logger);
const { failpoint, maxBatchBytes } = config.views;

/** Consumers started so far: stopped again if a later one cannot start, so the process exits. */
const consumers: ViewConsumer[] = [];

try {
  const stack = await stackUp(config, { logger, onProgress: (m) => process.stderr.write(`${m}\n`) });
  const topics = topicNames(config.topicNamespace);
  const pool = createPool(config.databaseUrl, { logger, applicationName: 'cel-views' });
  const kafka = createKafkaClient({
    brokers: stack.brokers,
    clientId: `${config.kafkaClientId}-views`,
    logger,
    security: stack.clientSecurity,
  });
  const eventCodec = createEventCodec(stack.registry, stack.schemas.byEventType);
  const recordCodec = createRecordCodec(stack.registry, stack.schemas.byRecordName);
  const selection = selectViews(config.views.selected, runnableViews, runnableAuditIndexes(recordCodec));
  if (!selection.ok) {
    throw new ConfigError([
      {
        variable: 'CEL_VIEWS',
        message: `"${selection.error.unknown.join(',')}": not a view or log index; expected some of ${selection.error.known.join(', ')}`,
      },
    ]);
  }
  const deadLetters = createDeadLetterPublisher(kafka, recordCodec, topics['dead-letter'], () => new Date());
  let batches = 0;
  const maybeDie = (at: 'mid-batch' | 'after-commit') => async () => {
    if (failpoint?.at !== at) return;
    batches += 1;
    if (batches >= failpoint.batch) process.kill(process.pid, 'SIGKILL');
  };
  const { views, indexes } = selection.value;
  const started = [
    ...views.map((view) => ({ view, what: 'view consumer' })),
    ...indexes.map((view) => ({ view, what: 'log index consumer' })),
  ];
  for (const { view, what } of started) {
    const consumer = view.consumer({
      kafka,
      pool,
      topic: topics[view.reads ?? 'canonical'],
      codec: eventCodec,
      groupId: groupIdOf(config.topicNamespace, view.name),
      logger,
      publishDeadLetters: (records) => deadLetters.publish(records),
      ...(maxBatchBytes === undefined ? {} : { maxBytesPerPartition: maxBatchBytes }),
      failpoints: { midBatch: maybeDie('mid-batch'), afterCommitBeforeKafkaCommit: maybeDie('after-commit') },
    });
    await consumer.start();
    consumers.push(consumer);
    logger.info({ view: view.name }, `${what} started`);
  }
  process.stdout.write(`views running: ${started.map(({ view }) => view.name).join(', ')}\n`);
  const stop = () => {
    Promise.all(consumers.map((c) => c.stop()))
      .then(() => deadLetters.close())
      .then(() => pool.end())
      .then(() => tracing.shutdown())
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
