/**
 * W3C trace context on Kafka records and HTTP requests: `traceparent` and `tracestate` written
 * into a record's headers from a context, and a context read back from a record's (or a
 * request's) headers. The W3C propagator is used directly, so these work whether or not a
 * tracer provider is registered. Pure.
 */
import {
  type Context,
  ROOT_CONTEXT,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { recordHeaders } from '../schemas/topics.js';

const w3c = new W3CTraceContextPropagator();

/** A Kafka record's headers as kafkajs hands them over (and an HTTP request's, as node does). */
export type CarrierHeaders = Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<CarrierHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    // A header sent twice: the first one (the W3C spec allows one traceparent).
    const [first] = value as readonly (Buffer | string)[];
    return first === undefined ? undefined : first.toString();
  },
};

/** The `traceparent` (and `tracestate`, when there is one) of the context's span; none when it has no valid span. */
export function traceHeadersOf(context: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(context, headers, setter);
  return headers;
}

/** The remote span context the headers carry (`traceparent`, `tracestate`); undefined when absent or malformed. */
export function spanContextOf(headers: CarrierHeaders): SpanContext | undefined {
  if (headers[recordHeaders.traceparent] === undefined) return undefined;
  return trace.getSpanContext(w3c.extract(ROOT_CONTEXT, headers, getter));
}

/** A context whose parent is the span the headers name: ROOT_CONTEXT (a new trace) when they name none. */
export function contextFromHeaders(headers: CarrierHeaders, base: Context = ROOT_CONTEXT): Context {
  const remote = spanContextOf(headers);
  return remote === undefined ? base : trace.setSpanContext(base, remote);
}
