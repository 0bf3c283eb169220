import { ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, test } from 'vitest';
import { contextFromHeaders, spanContextOf, traceHeadersOf } from './traceHeaders.js';

const remote: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

describe('trace context in record headers', () => {
  test('a context with a span is written as traceparent, and read back as the same span context', () => {
    const headers = traceHeadersOf(trace.setSpanContext(ROOT_CONTEXT, remote));
    expect(headers).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const read = spanContextOf(headers);
    expect(read).toMatchObject({ traceId: remote.traceId, spanId: remote.spanId, traceFlags: 1, isRemote: true });
  });

  test('a context without a span writes no header', () => {
    expect(traceHeadersOf(ROOT_CONTEXT)).toEqual({});
  });

  test('kafkajs Buffer headers and tracestate are read', () => {
    const headers = {
      traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'),
      tracestate: Buffer.from('vendor=abc'),
      'event-type': Buffer.from('PatientDischarged'),
    };
    const read = spanContextOf(headers);
    expect(read?.traceId).toBe(remote.traceId);
    expect(read?.traceFlags).toBe(TraceFlags.NONE);
    expect(read?.traceState?.get('vendor')).toBe('abc');
    // Written back with its state.
    expect(traceHeadersOf(contextFromHeaders(headers))).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      tracestate: 'vendor=abc',
    });
  });

  test('no traceparent, or a malformed one, gives no span context and the base context', () => {
    expect(spanContextOf({ 'event-type': 'x' })).toBeUndefined();
    expect(spanContextOf({ traceparent: 'not-a-traceparent' })).toBeUndefined();
    expect(spanContextOf({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' })).toBeUndefined();
    expect(contextFromHeaders({ traceparent: 'garbage' })).toBe(ROOT_CONTEXT);
  });

  test('a repeated header: the first value counts', () => {
    const read = spanContextOf({
      traceparent: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'garbage'],
    });
    expect(read?.spanId).toBe(remote.spanId);
  });
});
