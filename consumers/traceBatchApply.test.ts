import { EventEmitter } from 'node:events';
import { ROOT_CONTEXT, type SpanContext, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import type { EachBatchPayload } from '../platform/kafka.js';
import { traceHeadersOf } from '../platform/traceHeaders.js';
import { useSpanExporter } from '../platform/tracing.js';
import { appliedBy, traceBatchApply } from './traceBatchApply.js';

const exporter = new InMemorySpanExporter();
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  exporter.reset();
});

const publisher: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};
const traced = traceHeadersOf(trace.setSpanContext(ROOT_CONTEXT, publisher));

const payload = (offsets: readonly { offset: string; traced: boolean }[]) =>
  ({
    batch: {
      topic: 't.clinical-events',
      partition: 2,
      messages: offsets.map(({ offset, traced: withTrace }) => ({
        offset,
        key: null,
        value: Buffer.from('x'),
        headers: withTrace ? { ...traced, 'event-type': 'PatientDischarged' } : { 'event-type': 'PatientDischarged' },
      })),
    },
  }) as unknown as EachBatchPayload;

describe('traceBatchApply', () => {
  test('appliedBy: the offsets of [from, to)', () => {
    expect(appliedBy({ from: 5n, to: 7n }, 5n)).toBe(true);
    expect(appliedBy({ from: 5n, to: 7n }, 7n)).toBe(false);
    expect(appliedBy({ from: 5n, to: 7n }, 4n)).toBe(false);
    expect(appliedBy(undefined, 5n)).toBe(false);
  });

  test('one span per traced record, a child of its publish span, saying whether the batch applied it', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const events = new EventEmitter();
    const handle = traceBatchApply({ view: 'gp-view', events }, async () => {
      events.emit('batch.applied', { partition: 2, from: 11n, to: 13n, applied: 1 });
    });
    await handle(
      payload([
        { offset: '10', traced: true },
        { offset: '11', traced: false },
        { offset: '12', traced: true },
        { offset: '13', traced: true },
      ]),
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['apply gp-view', 'apply gp-view', 'apply gp-view']);
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe(publisher.traceId);
      expect(span.parentSpanContext?.spanId).toBe(publisher.spanId);
    }
    expect(spans.map((s) => [s.attributes['messaging.kafka.offset'], s.attributes['cel.applied']])).toEqual([
      [10, false],
      [12, true],
      [13, false],
    ]);
    expect(spans[0]?.attributes).toMatchObject({
      'cel.view': 'gp-view',
      'messaging.destination.name': 't.clinical-events',
      'messaging.destination.partition.id': '2',
      'messaging.batch.message_count': 4,
    });
  });

  test('a batch that fails marks its spans as errors and rethrows', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const handle = traceBatchApply({ view: 'audit-index', events: new EventEmitter() }, async () => {
      throw new Error('database gone');
    });
    await expect(handle(payload([{ offset: '0', traced: true }]))).rejects.toThrow('database gone');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('apply audit-index');
    expect(span?.status.code).toBe(2);
    expect(span?.attributes['cel.applied']).toBe(false);
  });

  test('tracing off: the handler runs and no span is made', async () => {
    let ran = false;
    const handle = traceBatchApply({ view: 'gp-view', events: new EventEmitter() }, async () => {
      ran = true;
    });
    await handle(payload([{ offset: '0', traced: true }]));
    expect(ran).toBe(true);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
