/**
 * The access record a command-line tool writes before it shows patient data or acts: the
 * operating-system user as actor, client `cli`, the role the command acts as, the command as
 * the route. Written to the access-log topic and acknowledged by Kafka before the tool goes on;
 * when it cannot be written the tool stops and shows nothing (as the API answers 503). I/O.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { type AccessRecordKind, accessRecord } from '../auth/accessEntry.js';
import { type Role, roleDescriptions } from '../auth/roles.js';
import { createAcknowledgedProducer } from '../platform/acknowledgedProducer.js';
import type { Config } from '../platform/config.js';
import { createKafkaClient } from '../platform/kafka.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { recordHeaders, topicNames } from '../schemas/topics.js';
import { locateStack } from './locateStack.js';

export type CliAccess = {
  /** The command as typed, without values: `npm run audit -- verify`. */
  readonly command: string;
  readonly role: Role;
  readonly kind: AccessRecordKind;
  /** The patients the command names (empty when it reads many or none). */
  readonly patients: readonly string[];
};

export async function recordCliAccess(config: Config, access: CliAccess): Promise<void> {
  const user = userInfo().username;
  const record = accessRecord({
    accessId: randomUUID(),
    at: new Date(),
    actor: {
      sub: user,
      roles: [access.role],
      clientId: 'cli',
      purposeOfUse: roleDescriptions[access.role].purposeOfUse,
    },
    kind: access.kind,
    route: `cli: ${access.command}`,
    patients: access.patients,
    correlationId: randomUUID(),
    outcome: 'started',
  });
  try {
    const stack = await locateStack(config);
    const registry = createRegistry(stack.registryUrl);
    const topics = topicNames(config.topicNamespace);
    const schemas = await registerSchemas(registry, projectSchemaRegistrations(topics));
    const codec = createRecordCodec(registry, schemas.byRecordName);
    const producer = createAcknowledgedProducer(
      createKafkaClient({
        brokers: stack.brokers,
        clientId: 'cel-cli-access',
        security: stack.security,
      }),
      { retry: { retries: 3, maxRetryTime: 3000 } },
    );
    await producer.connect();
    try {
      await producer.send(topics.access, [
        {
          key: record.actorSub,
          value: codec.encode('AccessRecord', record),
          headers: { [recordHeaders.correlationId]: record.correlationId },
        },
      ]);
    } finally {
      await producer.disconnect();
    }
  } catch (error) {
    throw new Error(
      `the access log cannot be written (${error instanceof Error ? error.message : String(error)}), so nothing is shown; check that Kafka is up`,
    );
  }
}
