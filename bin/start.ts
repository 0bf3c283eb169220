/**
 * `npm start`: the main job. Brings up the embedded stack when nothing is configured
 * (Kafka from Maven jars, the database and its migrations, the topics) and reports health.
 */
import { stackStatus, stackUp } from '../local-stack/stack.js';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const progress = (message: string) => process.stderr.write(`${message}\n`);

try {
  const started = Date.now();
  await stackUp(config, { onProgress: progress, logger });
  const status = await stackStatus(config);
  logger.info(
    {
      kafka: status.kafka.bootstrap,
      kafkaUp: status.kafka.up,
      databaseUp: status.database.up,
      ms: Date.now() - started,
    },
    'stack ready',
  );
  process.stdout.write(`${JSON.stringify({ status: 'ready', ...status }, null, 2)}\n`);
  if (config.kafkaBrokers === 'local-stack') {
    process.stderr.write('The local Kafka keeps running; stop it with: npm run stack -- down\n');
  }
} catch (error) {
  logger.error({ err: error }, 'start-up failed');
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
