/**
 * The adapters' publisher as the service wires it, for a benchmark's topics: the project's
 * schemas registered under the topics' subjects, the event and record codecs on them, and the
 * Kafka publisher over `kafka`. I/O.
 */

import { createEventCodec } from '../platform/eventCodec.js';
import type { Kafka } from '../platform/kafka.js';
import { createRecordCodec } from '../platform/recordCodec.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { createKafkaPublisher } from '../producers/publish/kafkaPublisher.js';
import type { TopicNames } from '../schemas/topics.js';
import { type BenchContext, benchLogger } from './benchmark.js';

export async function benchPublisher(context: BenchContext, kafka: Kafka, topics: TopicNames) {
  const registry = createRegistry(new URL(context.registryUrl));
  const schemas = await registerSchemas(registry, projectSchemaRegistrations(topics));
  return createKafkaPublisher({
    kafka,
    topics,
    eventCodec: createEventCodec(registry, schemas.byEventType),
    recordCodec: createRecordCodec(registry, schemas.byRecordName),
    logger: benchLogger(),
  });
}
