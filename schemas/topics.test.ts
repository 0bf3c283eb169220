import { describe, expect, test } from 'vitest';
import { replicationFor, topicNames, topicSpecs } from './topics.js';

describe('topic layout', () => {
  test('one canonical topic and the raw, rejected, dead-letter and access-log topics, under the namespace', () => {
    expect(topicNames('cel')).toEqual({
      canonical: 'cel.clinical-events',
      raw: 'cel.raw-receipts',
      rejected: 'cel.rejected-inputs',
      'dead-letter': 'cel.dead-letters',
      access: 'cel.access-log',
    });
  });

  test.each([
    { brokers: 1, replicationFactor: 1, minInsyncReplicas: 1 },
    { brokers: 3, replicationFactor: 3, minInsyncReplicas: 2 },
    { brokers: 5, replicationFactor: 3, minInsyncReplicas: 2 },
  ])('$brokers broker(s): RF $replicationFactor, min ISR $minInsyncReplicas', ({ brokers, ...expected }) => {
    expect(replicationFor(brokers)).toEqual(expected);
    for (const spec of topicSpecs({ namespace: 'n', partitions: 6, brokerCount: brokers })) {
      expect(spec.replicationFactor).toBe(expected.replicationFactor);
      expect(spec.configs['min.insync.replicas']).toBe(String(expected.minInsyncReplicas));
    }
  });

  test('every topic keeps everything forever and is never compacted', () => {
    for (const spec of topicSpecs({ namespace: 'n', partitions: 3, brokerCount: 1 })) {
      expect(spec.numPartitions).toBe(3);
      expect(spec.configs).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' });
    }
  });
});
