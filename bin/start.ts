/**
 * `npm start`: the main job. Brings up the embedded stack when nothing is configured (Kafka
 * from Maven jars, PostgreSQL with migrations, the schema registry, topics and schemas), then
 * runs the source adapters (MLLP and HTTP) until SIGINT/SIGTERM, and drains on the way out.
 */
import { loadConfig, maskUrl } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { runService } from '../service/runService.js';
import { buildConsole, consoleBuildIsStale } from './consoleBuild.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const progress = (message: string) => process.stderr.write(`${message}\n`);

try {
  // The console at /console: built here when its sources are newer than the build (not in a compiled copy).
  const root = new URL('../', import.meta.url).pathname;
  if (consoleBuildIsStale(root)) {
    progress('building the console (console/ → console/dist)');
    buildConsole(root);
  }
  const service = await runService(config, { logger, onProgress: progress });
  process.stderr.write(
    [
      '',
      'Clinical event log is running:',
      `  HL7 v2 over MLLP   127.0.0.1:${service.mllpPort}`,
      `  FHIR R4            POST ${service.httpUrl}/fhir/{Encounter|Condition|MedicationRequest}, ${service.httpUrl}/fhir (Bundles), ${service.httpUrl}/fhir/notify`,
      `  JSON ingest        POST ${service.httpUrl}/events (Idempotency-Key header)`,
      `  Health             GET  ${service.httpUrl}/health`,
      `  Held inputs        GET  ${service.httpUrl}/admin/parked, ${service.httpUrl}/admin/rejected`,
      `  Console            ${service.httpUrl}/console/`,
      `  Kafka ${service.brokers.join(',')}   schema registry ${maskUrl(new URL(service.registryUrl))}`,
      config.auth.mode === 'development'
        ? '  Every route but /health needs a bearer token: npm run -s token -- --role gp (README: Access)'
        : `  Every route but /health needs a bearer token from ${config.auth.issuer}`,
      'Ctrl-C stops the service (the local stack keeps running: npm run stack -- down).',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight messages');
    service.close().then(
      () => logger.info('stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  logger.error({ err: error }, 'start-up failed');
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1); // nothing is in flight yet; what start-up opened would keep the process alive
}
