/**
 * The topic layout: names, partitioning and configs of every topic the project owns.
 * Pure: platform/ensureTopics.ts creates them; docs and tests read them from here.
 */

export type TopicRole = 'canonical' | 'raw' | 'rejected' | 'dead-letter' | 'access';

export type TopicSpec = {
  readonly role: TopicRole;
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** Every config the project sets explicitly on the topic. */
  readonly configs: Readonly<Record<string, string>>;
};

export type TopicNames = Readonly<Record<TopicRole, string>>;

export function topicNames(namespace: string): TopicNames {
  return {
    canonical: `${namespace}.clinical-events`,
    raw: `${namespace}.raw-receipts`,
    rejected: `${namespace}.rejected-inputs`,
    'dead-letter': `${namespace}.dead-letters`,
    access: `${namespace}.access-log`,
  };
}

/**
 * Replication follows the cluster: with 3 or more brokers every partition has 3 replicas and
 * a write needs 2 in sync (acks=all), so one broker can fail without losing an acked event;
 * a single development broker can only have 1.
 */
export function replicationFor(brokerCount: number): {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
} {
  return brokerCount >= 3
    ? { replicationFactor: 3, minInsyncReplicas: 2 }
    : { replicationFactor: brokerCount, minInsyncReplicas: 1 };
}

const FOUR_MIB = String(4 * 1024 * 1024);

export function topicSpecs(options: {
  readonly namespace: string;
  readonly partitions: number;
  readonly brokerCount: number;
}): readonly TopicSpec[] {
  const names = topicNames(options.namespace);
  const { replicationFactor, minInsyncReplicas } = replicationFor(options.brokerCount);
  // The log is the system of record: nothing is ever compacted or expired.
  const base = {
    'cleanup.policy': 'delete',
    'retention.ms': '-1',
    'retention.bytes': '-1',
    'min.insync.replicas': String(minInsyncReplicas),
    'unclean.leader.election.enable': 'false',
    'message.timestamp.type': 'CreateTime',
  } as const;
  const spec = (role: TopicRole, extra: Readonly<Record<string, string>> = {}): TopicSpec => ({
    role,
    topic: names[role],
    numPartitions: options.partitions,
    replicationFactor,
    configs: { ...base, ...extra },
  });
  return [
    spec('canonical'),
    // Raw and rejected inputs keep the source bytes as received; a discharge summary can be large.
    spec('raw', { 'max.message.bytes': FOUR_MIB }),
    spec('rejected', { 'max.message.bytes': FOUR_MIB }),
    spec('dead-letter', { 'max.message.bytes': FOUR_MIB }),
    // Who viewed what: append-only like the log, kept for ever.
    spec('access'),
  ];
}

/**
 * TopicRecordNameStrategy: one registry subject per (topic, record type), so several event
 * types share the canonical topic and each evolves under its own compatibility checks.
 */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}

/** Headers on every canonical record; consumers filter on `event-type` without decoding. */
export const recordHeaders = {
  /** The event type: the Avro record name, e.g. PatientDischarged. */
  eventType: 'event-type',
  /** The event's deterministic id (UUID v5 of its dedup key). */
  eventId: 'event-id',
  /** The correlation id of the inbound message the event came from. */
  correlationId: 'correlation-id',
  /** W3C trace context of the write (platform/traceHeaders.ts); only while tracing is on. */
  traceparent: 'traceparent',
  /** W3C vendor trace state, beside `traceparent` when there is one. */
  tracestate: 'tracestate',
} as const;
