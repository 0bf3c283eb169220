/** `npm run stack -- up|down|status [--json]`: operate the embedded local stack. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { runCommand } from '../platform/runCommand.js';
import { stackDown, stackStatus, stackUp } from './stack.js';

const usage = `usage: npm run stack -- <command>
  up       start Kafka (from Maven jars) and the schema registry; prepare PostgreSQL, topics, schemas
  down     stop the local Kafka and registry (their data is kept)
  status   print the state of the stack; --json prints one JSON object
options: --brokers 1|3 (same as KAFKA_BROKER_COUNT)
         --secure (up) create the local Kafka secured: SASL_SSL with SCRAM-SHA-512/256, PLAIN and
                  OAUTHBEARER (tokens of the development issuer), an mTLS listener (client certificates),
                  a development CA, ACLs; certificates, client certificates and client configs in
                  <LOCAL_STACK_DIR>/security/. A stack created secured stays secured on every later up.`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      brokers: { type: 'string' },
      secure: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    process.stdout.write(`${usage}\n`);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const env = values.brokers === undefined ? process.env : { ...process.env, KAFKA_BROKER_COUNT: values.brokers };
  const config = loadConfig(env);
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  switch (command) {
    case 'up': {
      await stackUp(config, { onProgress: progress, secure: values.secure === true });
      printStatus(await stackStatus(config), false);
      return 0;
    }
    case 'down':
      await stackDown(config, progress);
      return 0;
    case 'status': {
      const status = await stackStatus(config);
      printStatus(status, values.json === true);
      return status.kafka.up && status.database.up && status.registry.up ? 0 : 1;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${usage}\n`);
      return 2;
  }
}

function printStatus(status: Awaited<ReturnType<typeof stackStatus>>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(status)}\n`);
    return;
  }
  const mark = (up: boolean) => (up ? 'up  ' : 'DOWN');
  const kafka = status.kafka;
  const what = kafka.embedded ? `embedded Kafka ${kafka.version ?? ''}`.trim() : 'Kafka (KAFKA_BROKERS)';
  process.stdout.write(`${mark(kafka.up)}  ${what} at ${kafka.bootstrap ?? '(not started: npm run stack -- up)'}\n`);
  for (const b of kafka.brokers ?? []) {
    process.stdout.write(`        node ${b.nodeId}: ${b.running ? `running, pid ${b.pid}` : 'not running'}\n`);
  }
  if (kafka.security !== undefined) {
    process.stdout.write(
      `        secured: ${kafka.security.protocol} ${kafka.security.mechanisms.join('/')}, CA ${kafka.security.caFile}, client configs ${kafka.security.clients.service} …\n`,
    );
    const mtls = kafka.security.mtls;
    if (mtls !== undefined)
      process.stdout.write(
        `        mTLS at ${mtls.bootstrap}: client certificate ${mtls.certFile}, key ${mtls.keyFile}\n`,
      );
  }
  process.stdout.write(`${mark(status.database.up)}  PostgreSQL at ${status.database.url}\n`);
  const registry = status.registry;
  process.stdout.write(
    `${mark(registry.up)}  ${registry.embedded ? 'embedded schema registry' : 'schema registry (SCHEMA_REGISTRY_URL)'} at ${registry.url ?? '(not started: npm run stack -- up)'}\n`,
  );
  if (registry.credentials !== undefined) {
    process.stdout.write(
      `        credentials (user:password): ${registry.credentials.admin}, ${registry.credentials.service}, ${registry.credentials.subscriber}\n`,
    );
  }
}

runCommand(main);
