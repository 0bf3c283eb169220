/**
 * Creates the project's topics with their declared configs, and reconciles drift on
 * existing ones. A partition count that differs is an error: changing it would move
 * patients to other partitions and break their per-patient order. I/O.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../schemas/topics.js';
import { ConfigResourceTypes, type Kafka } from './kafka.js';
import type { Logger } from './logger.js';

export class TopicPartitionMismatchError extends Error {
  readonly code = 'CEL_ERR_TOPIC_PARTITIONS';
  readonly retriable = false;
  constructor(
    readonly topic: string,
    readonly existing: number,
    readonly declared: number,
  ) {
    super(
      `topic ${topic} has ${existing} partitions but ${declared} are declared; set TOPIC_PARTITIONS=${existing} ` +
        '(re-partitioning a keyed topic breaks per-patient order and needs a planned migration)',
    );
    this.name = 'TopicPartitionMismatchError';
  }
}

/** Polls metadata until every partition of the topics has a leader, or fails after `timeoutMs`. */
async function waitForLeaders(admin: Admin, specs: readonly TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const ready = specs.every((spec) => {
        const topic = metadata.topics.find((t) => t.name === spec.topic);
        return topic?.partitions.length === spec.numPartitions && topic.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (error) {
      lastError = error; // metadata not yet propagated to the broker asked; ask again
    }
    await delay(200);
  }
  throw new Error(`topics ${specs.map((s) => s.topic).join(', ')} have no leader after ${timeoutMs / 1000} s`, {
    cause: lastError,
  });
}

export type EnsureTopicsReport = { readonly created: readonly string[]; readonly reconfigured: readonly string[] };

export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  logger?: Logger,
): Promise<EnsureTopicsReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        // kafkajs' own wait gives up on the first "does not host this topic-partition" from a
        // broker that has not seen the new metadata yet (3-node clusters); waitForLeaders below retries.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions,
          replicationFactor: s.replicationFactor,
          configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(admin, missing);
      for (const s of missing) logger?.info({ topic: s.topic, partitions: s.numPartitions }, 'topic created');
    }

    const present = specs.filter((s) => existing.has(s.topic));
    const reconfigured: string[] = [];
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      for (const t of metadata.topics) {
        const spec = present.find((s) => s.topic === t.name);
        if (spec !== undefined && t.partitions.length !== spec.numPartitions) {
          throw new TopicPartitionMismatchError(t.name, t.partitions.length, spec.numPartitions);
        }
      }
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
      });
      for (const resource of described.resources) {
        const spec = present.find((s) => s.topic === resource.resourceName);
        if (spec === undefined) continue;
        const actual = new Map(resource.configEntries.map((e) => [e.configName, e.configValue]));
        const drift = Object.entries(spec.configs).filter(([name, value]) => actual.get(name) !== value);
        if (drift.length === 0) continue;
        // alterConfigs replaces the topic's dynamic configs with exactly the declared set.
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: spec.topic,
              configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
            },
          ],
        });
        reconfigured.push(spec.topic);
        logger?.warn(
          { topic: spec.topic, configs: drift.map(([name]) => name) },
          'topic configs drifted; reset to declared',
        );
      }
    }
    return { created: missing.map((s) => s.topic), reconfigured };
  } finally {
    await admin.disconnect();
  }
}
