import { topicSpecs } from '../schemas/topics.js';
import { describe, expect, test } from '../test/support/fixtures.js';
import { kafkaConnectionFor } from '../test/support/testKafka.js';
import { uniqueName } from '../test/support/uniqueName.js';
import { ensureTopics, TopicPartitionMismatchError } from './ensureTopics.js';
import { ConfigResourceTypes, createKafkaClient, type Kafka } from './kafka.js';

async function describeTopicConfigs(kafka: Kafka, topics: readonly string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    return topics.map((topic) => ({
      topic,
      partitions: metadata.topics.find((t) => t.name === topic)?.partitions.length,
      replicas: metadata.topics.find((t) => t.name === topic)?.partitions[0]?.replicas.length,
      configs: Object.fromEntries(
        configs.resources
          .find((r) => r.resourceName === topic)
          ?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
      ),
    }));
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics', () => {
  test('creates every topic with the declared partitions and configs, read back from the broker', async ({
    kafkaBrokers,
  }) => {
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: 'topics-test',
    });
    const specs = topicSpecs({ namespace: uniqueName('ns'), partitions: 4, brokerCount: 1 });
    const report = await ensureTopics(kafka, specs);
    expect(report.created).toEqual(specs.map((s) => s.topic));

    const actual = await describeTopicConfigs(
      kafka,
      specs.map((s) => s.topic),
    );
    for (const spec of specs) {
      const topic = actual.find((a) => a.topic === spec.topic);
      expect(topic?.partitions).toBe(4);
      expect(topic?.replicas).toBe(1);
      expect(topic?.configs).toMatchObject({
        'cleanup.policy': 'delete',
        'retention.ms': '-1',
        'min.insync.replicas': '1',
        ...spec.configs,
      });
    }
  });

  test('a second run creates nothing; a drifted config is reset to the declared value', async ({ kafkaBrokers }) => {
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: 'topics-test',
    });
    const specs = topicSpecs({ namespace: uniqueName('ns'), partitions: 2, brokerCount: 1 });
    await ensureTopics(kafka, specs);
    expect(await ensureTopics(kafka, specs)).toEqual({ created: [], reconfigured: [] });

    const [canonical] = specs;
    if (canonical === undefined) throw new Error('no canonical topic');
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: canonical.topic,
          configEntries: [{ name: 'retention.ms', value: '3600000' }],
        },
      ],
    });
    await admin.disconnect();
    // The broker applies a config change from the controller's log a moment after the call returns.
    const retention = async () => (await describeTopicConfigs(kafka, [canonical.topic]))[0]?.configs['retention.ms'];
    await expect.poll(retention, { timeout: 10_000 }).toBe('3600000');

    expect(await ensureTopics(kafka, specs)).toEqual({ created: [], reconfigured: [canonical.topic] });
    await expect.poll(retention, { timeout: 10_000 }).toBe('-1');
  });

  test('an existing topic with another partition count is refused, naming the variable', async ({ kafkaBrokers }) => {
    const kafka = createKafkaClient({
      ...(await kafkaConnectionFor(kafkaBrokers)).connection,
      clientId: 'topics-test',
    });
    const namespace = uniqueName('ns');
    await ensureTopics(kafka, topicSpecs({ namespace, partitions: 2, brokerCount: 1 }));
    const again = ensureTopics(kafka, topicSpecs({ namespace, partitions: 3, brokerCount: 1 }));
    await expect(again).rejects.toBeInstanceOf(TopicPartitionMismatchError);
    await expect(again).rejects.toThrow(/TOPIC_PARTITIONS=2/);
  });
});
