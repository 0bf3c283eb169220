/**
 * Renders the AsyncAPI 3 description of the topics for downstream teams, from the real
 * bundled schemas and the topic layout, so the document cannot drift from the contract. Pure.
 */
import type { AvroRecord } from './avroJson.js';
import type { SchemaSet } from './renderEventTypes.js';
import { recordHeaders, subjectFor, type TopicRole, topicNames, topicSpecs } from './topics.js';

const NAMESPACE = 'cel';
const AVRO_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

export function renderAsyncApi(set: SchemaSet, version: string): Record<string, unknown> {
  const names = topicNames(NAMESPACE);
  const specs = topicSpecs({ namespace: NAMESPACE, partitions: 6, brokerCount: 3 });
  const record = (name: string) => set.records.find((r) => r.name === name);
  const channel = (role: TopicRole, description: string, messages: readonly AvroRecord[], key: string) => {
    const spec = specs.find((s) => s.role === role);
    return {
      address: names[role],
      description: `${description} Key: ${key}.`,
      messages: Object.fromEntries(messages.map((m) => [m.name, { $ref: `#/components/messages/${m.name}` }])),
      bindings: {
        kafka: {
          topic: names[role],
          partitions: spec?.numPartitions,
          replicas: spec?.replicationFactor,
          topicConfiguration: {
            'cleanup.policy': ['delete'],
            'retention.ms': -1,
            'retention.bytes': -1,
          },
          bindingVersion: '0.5.0',
        },
      },
    };
  };
  const message = (schema: AvroRecord, topic: string, key: string, headers: boolean) => ({
    name: schema.name,
    title: schema.name,
    summary: schema.doc,
    contentType: 'application/vnd.apache.avro+binary',
    ...(headers
      ? {
          headers: {
            type: 'object',
            required: [recordHeaders.eventType, recordHeaders.eventId, recordHeaders.correlationId],
            properties: {
              [recordHeaders.eventType]: { type: 'string', const: schema.name, description: 'The Avro record name.' },
              [recordHeaders.eventId]: { type: 'string', format: 'uuid', description: 'UUID v5 of the dedup key.' },
              [recordHeaders.correlationId]: { type: 'string', description: 'Correlation id of the inbound message.' },
            },
          },
        }
      : {}),
    payload: { schemaFormat: AVRO_FORMAT, schema },
    bindings: {
      kafka: {
        key: { type: 'string', description: key },
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'TopicRecordNameStrategy',
        bindingVersion: '0.5.0',
      },
    },
    'x-registry-subject': subjectFor(topic, `${schema.namespace}.${schema.name}`),
  });
  const receipts = (names: readonly string[]) => names.map(record).filter((r): r is AvroRecord => r !== undefined);

  const messages = {
    ...Object.fromEntries(set.events.map((e) => [e.name, message(e, names.canonical, 'NHS number (10 digits)', true)])),
    ...Object.fromEntries(
      receipts(['RawReceipt', 'RejectedInput']).map((r) => [
        r.name,
        message(r, names[r.name === 'RawReceipt' ? 'raw' : 'rejected'], 'correlation id', false),
      ]),
    ),
    ...Object.fromEntries(
      receipts(['DeadLetter']).map((r) => [r.name, message(r, names['dead-letter'], 'the original record key', false)]),
    ),
    ...Object.fromEntries(
      receipts(['AccessRecord']).map((r) => [r.name, message(r, names.access, 'actor subject', false)]),
    ),
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Clinical event log',
      version,
      description: [
        'One immutable log of canonical clinical events (discharges, diagnoses, medication orders and their corrections).',
        `Topic names are shown with the default namespace "${NAMESPACE}" (TOPIC_NAMESPACE).`,
        'Ordering: every event of one patient is keyed by NHS number and so is totally ordered in one partition; there is no order across patients.',
        'Delivery: at least once, with deterministic event ids: deduplicate on the event-id header (or eventId field).',
        'Corrections are new events (amended, retracted, cancelled, discontinued), never edits of old records.',
        'Values use the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary); one registry subject per event type (TopicRecordNameStrategy).',
      ].join('\n'),
    },
    defaultContentType: 'application/vnd.apache.avro+binary',
    servers: {
      local: {
        host: '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'The embedded local stack (npm run stack -- up).',
      },
    },
    channels: {
      clinicalEvents: channel('canonical', 'Canonical clinical events.', set.events, 'NHS number'),
      rawReceipts: channel(
        'raw',
        'Every inbound message exactly as received, duplicates included.',
        receipts(['RawReceipt']),
        'correlation id',
      ),
      rejectedInputs: channel(
        'rejected',
        'Inbound messages refused, with the reason; re-drivable.',
        receipts(['RejectedInput']),
        'correlation id',
      ),
      deadLetters: channel(
        'dead-letter',
        'Records a consumer group could not decode or apply.',
        receipts(['DeadLetter']),
        'the original key',
      ),
      accessLog: channel(
        'access',
        'Who viewed which patient, and which administrative actions were taken: one record per answer carrying patient data, per export and per admin action, written before the answer leaves or the action runs.',
        receipts(['AccessRecord']),
        'actor subject',
      ),
    },
    operations: {
      receiveClinicalEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/clinicalEvents' },
        summary: 'Subscribe with your own consumer group; filter on the event-type header; deduplicate on event-id.',
        messages: set.events.map((e) => ({ $ref: `#/channels/clinicalEvents/messages/${e.name}` })),
      },
      receiveRejectedInputs: {
        action: 'receive',
        channel: { $ref: '#/channels/rejectedInputs' },
        messages: [{ $ref: '#/channels/rejectedInputs/messages/RejectedInput' }],
      },
    },
    components: { messages },
  };
}
