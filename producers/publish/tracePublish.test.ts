import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { spanContextOf } from '../../platform/traceHeaders.js';
import { tracingEnabled, useSpanExporter } from '../../platform/tracing.js';
import { topicNames } from '../../schemas/topics.js';
import { topicRoleOf, tracePublish } from './tracePublish.js';

const topics = topicNames('t');
const records = [
  { key: 'a', value: Buffer.from('1'), headers: { 'correlation-id': 'c-1', 'event-type': 'PatientDischarged' } },
  { key: 'b', value: Buffer.from('2') },
];
const exporter = new InMemorySpanExporter();
let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  stop = undefined;
  exporter.reset();
});

describe('tracePublish', () => {
  test('tracing off: the records go as they are, without trace headers', async () => {
    expect(tracingEnabled()).toBe(false);
    const written: unknown[] = [];
    await tracePublish(topics, topics.canonical, records, async (m) => void written.push(...m));
    expect(written).toEqual(records);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  test('tracing on: a producer span per write, its context on every record, the record headers kept', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const written: { headers?: Record<string, string> }[] = [];
    await tracePublish(topics, topics.canonical, records, async (m) => void written.push(...m));
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('publish canonical');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 't.clinical-events',
      'messaging.batch.message_count': 2,
      'cel.correlation_id': 'c-1',
    });
    expect(written).toHaveLength(2);
    for (const record of written) {
      expect(spanContextOf(record.headers ?? {})).toMatchObject({
        traceId: span?.spanContext().traceId,
        spanId: span?.spanContext().spanId,
      });
    }
    expect(written[0]?.headers?.['event-type']).toBe('PatientDischarged');
  });

  test('a failed write fails the span and is rethrown', async () => {
    stop = useSpanExporter(exporter).shutdown;
    await expect(
      tracePublish(topics, topics.raw, records, async () => {
        throw new Error('no acknowledgement');
      }),
    ).rejects.toThrow('no acknowledgement');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('publish raw');
    expect(span?.status.code).toBe(2);
  });

  test('topic roles', () => {
    expect(topicRoleOf(topics, 't.access-log')).toBe('access');
    expect(topicRoleOf(topics, 'other')).toBe('other');
  });
});
