/**
 * Traces a view's (or a log index's) batches: for each record carrying a `traceparent`, a
 * consumer span `apply <view>` whose parent is the record's context (the publish span), so one
 * trace runs from the sender's bytes to the view row. The span covers the handling of the
 * batch the record came in (decode, the exactly-once transaction, the lag commit) and says
 * whether that batch applied the record (`cel.applied`: false when it was applied before, is
 * held, or the batch is read again). Spans are made only while tracing is on, and only for
 * records with trace context. I/O through the handler.
 */
import type { EventEmitter } from 'node:events';
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { EachBatchPayload } from '../platform/kafka.js';
import { type CarrierHeaders, spanContextOf } from '../platform/traceHeaders.js';
import { failSpan, tracer, tracingEnabled } from '../platform/tracing.js';

type BatchHandler = (payload: EachBatchPayload) => Promise<void>;

/** The attributes of one record's apply span. */
export function applySpanAttributes(
  view: string,
  batch: { readonly topic: string; readonly partition: number; readonly size: number },
  offset: string,
): Attributes {
  return {
    'cel.view': view,
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': batch.topic,
    'messaging.destination.partition.id': String(batch.partition),
    'messaging.kafka.offset': Number(offset),
    'messaging.batch.message_count': batch.size,
  };
}

/** Whether the batch's transaction covered the offset: [from, to) of what it applied (duplicates included). */
export function appliedBy(result: { readonly from: bigint; readonly to: bigint } | undefined, offset: bigint): boolean {
  return result !== undefined && offset >= result.from && offset < result.to;
}

export function traceBatchApply(
  deps: { readonly view: string; readonly events: EventEmitter },
  handler: BatchHandler,
): BatchHandler {
  // What each partition's batch in hand applied, as the handler reports it (`batch.applied`).
  const applied = new Map<number, { from: bigint; to: bigint } | undefined>();
  deps.events.on('batch.applied', (result: { partition: number; from: bigint; to: bigint }) => {
    if (applied.has(result.partition)) applied.set(result.partition, { from: result.from, to: result.to });
  });

  return async (payload) => {
    if (!tracingEnabled()) return handler(payload);
    const { batch } = payload;
    const shape = { topic: batch.topic, partition: batch.partition, size: batch.messages.length };
    const spans: { readonly offset: bigint; readonly span: Span }[] = [];
    for (const message of batch.messages) {
      const headers = message.headers as CarrierHeaders | undefined;
      const remote = headers === undefined ? undefined : spanContextOf(headers);
      if (remote === undefined) continue;
      // The record's context as the parent: one trace from the sender to the view row.
      const span = tracer().startSpan(
        `apply ${deps.view}`,
        { kind: SpanKind.CONSUMER, attributes: applySpanAttributes(deps.view, shape, message.offset) },
        trace.setSpanContext(ROOT_CONTEXT, remote),
      );
      spans.push({ offset: BigInt(message.offset), span });
    }
    if (spans.length === 0) return handler(payload);
    applied.set(batch.partition, undefined);
    try {
      await handler(payload);
      const result = applied.get(batch.partition);
      for (const { offset, span } of spans) span.setAttribute('cel.applied', appliedBy(result, offset));
    } catch (error) {
      for (const { span } of spans) {
        span.setAttribute('cel.applied', false);
        failSpan(span, error);
      }
      throw error;
    } finally {
      applied.delete(batch.partition);
      for (const { span } of spans) span.end();
    }
  };
}
