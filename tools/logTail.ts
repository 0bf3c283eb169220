/**
 * `npm run log -- tail [--from-beginning] [--until-end] [--topic canonical|raw|rejected|dead-letter] [--patient NHS]`:
 * the Avro-aware console consumer. Prints each record decoded, one JSON object per line, on
 * stdout (progress and errors on stderr). It commits nothing, so it never moves anyone's
 * offsets. I/O.
 */

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseNhsNumber } from '../core/nhsNumber.js';
import { loadConfig } from '../platform/config.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { createKafkaClient, fetchPartitionOffsets } from '../platform/kafka.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { runCommand } from '../platform/runCommand.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { type TopicRole, topicNames } from '../schemas/topics.js';
import { locateStack } from './locateStack.js';
import { recordCliAccess } from './recordCliAccess.js';

const usage = `usage: npm run log -- tail [--from-beginning] [--until-end] [--topic canonical|raw|rejected|dead-letter] [--patient NHS]`;

/** Dates as ISO instants; bytes as UTF-8 text when they are, else base64. */
function printable(_key: string, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    const bytes = Buffer.from((value as { data: number[] }).data);
    const text = bytes.toString('utf8');
    return Buffer.from(text, 'utf8').equals(bytes) ? text : { base64: bytes.toString('base64') };
  }
  return value;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'from-beginning': { type: 'boolean', default: false },
      'until-end': { type: 'boolean', default: false },
      topic: { type: 'string', default: 'canonical' },
      patient: { type: 'string' },
    },
  });
  if (positionals[0] !== 'tail') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const roles: readonly TopicRole[] = ['canonical', 'raw', 'rejected', 'dead-letter'];
  const role = roles.find((r) => r === values.topic);
  if (role === undefined) {
    process.stderr.write(`--topic "${values.topic}": expected one of ${roles.join(', ')}\n`);
    return 2;
  }
  let patient: string | undefined;
  if (values.patient !== undefined) {
    const nhs = parseNhsNumber(values.patient);
    if (!nhs.ok) {
      process.stderr.write('--patient: not a valid NHS number\n');
      return 2;
    }
    patient = nhs.value;
  }

  const config = loadConfig();
  await recordCliAccess(config, {
    command: `npm run log -- --topic ${role}`,
    role: 'operator',
    kind: 'EXPORT',
    patients: patient === undefined ? [] : [patient],
  });
  const stack = await locateStack(config);
  const registry = createRegistry(stack.registryUrl);
  const topics = topicNames(config.topicNamespace);
  const schemas = await registerSchemas(registry, projectSchemaRegistrations(topics));
  const events = createEventCodec(registry, schemas.byEventType);
  const records = createRecordCodec(registry, schemas.byRecordName);
  const topic = topics[role];

  const kafka = createKafkaClient({
    brokers: stack.brokers,
    clientId: 'cel-log-tail',
    security: stack.security,
  });
  const ends = new Map((await fetchPartitionOffsets(kafka, topic)).map((p) => [p.partition, p.high]));
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (values['until-end'] === true && (values['from-beginning'] !== true || remaining.size === 0)) return 0;

  const consumer = kafka.consumer({ groupId: `${topic}.log-tail-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: values['from-beginning'] === true });
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const key = message.key?.toString() ?? null;
      if (message.value !== null && (patient === undefined || key === patient)) {
        const coordinates = { topic, partition, offset: message.offset, key };
        try {
          const value =
            role === 'canonical' ? await events.decode(message.value) : (await records.decode(message.value)).value;
          process.stdout.write(`${JSON.stringify({ ...coordinates, value }, printable)}\n`);
        } catch (error) {
          process.stdout.write(
            `${JSON.stringify({ ...coordinates, undecodable: error instanceof Error ? error.message : String(error) })}\n`,
          );
        }
      }
      if (values['until-end'] === true && BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) {
        remaining.delete(partition);
        if (remaining.size === 0) resolveDone();
      }
    },
  });
  const stop = () => resolveDone();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await done;
  await consumer.disconnect();
  return 0;
}

runCommand(main);
