import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { tracer, useSpanExporter } from '../platform/tracing.js';
import { registerTracingHooks } from './tracingHooks.js';

const exporter = new InMemorySpanExporter();
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  exporter.reset();
});

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function app() {
  const api = Fastify();
  registerTracingHooks(api);
  api.get('/patients/:nhsNumber/gp-summary', async () => {
    tracer().startSpan('inside').end();
    return { ok: true };
  });
  // The handler's awaits after reading a body keep the request's context.
  api.post('/events', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    tracer().startSpan('inside').end();
    return { active: trace.getActiveSpan() !== undefined, size: JSON.stringify(request.body).length };
  });
  api.get('/boom', async () => {
    throw new Error('fault');
  });
  return api;
}

describe('HTTP request spans', () => {
  test("a server span named by the route pattern, the caller's traceparent its parent, the handler's spans its children", async () => {
    stop = useSpanExporter(exporter).shutdown;
    const api = await app();
    const response = await api.inject({
      method: 'GET',
      url: '/patients/9434765919/gp-summary?asOf=2026-01-01',
      headers: { traceparent: TRACEPARENT },
    });
    expect(response.statusCode).toBe(200);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'GET /patients/:nhsNumber/gp-summary');
    const inside = spans.find((s) => s.name === 'inside');
    expect(server?.kind).toBe(SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(inside?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/patients/:nhsNumber/gp-summary',
      'http.response.status_code': 200,
    });
    expect(JSON.stringify(server?.attributes)).not.toContain('9434765919');
    await api.close();
  });

  test('a request with a body: the handler runs in the span; without traceparent a new trace', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const api = await app();
    const response = await api.inject({ method: 'POST', url: '/events', payload: { a: 1 } });
    expect(response.json()).toMatchObject({ active: true });
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'POST /events');
    expect(server?.parentSpanContext).toBeUndefined();
    expect(spans.find((s) => s.name === 'inside')?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    await api.close();
  });

  test('a 500 is an error span; an unknown route is named by its method alone', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const api = await app();
    await api.inject({ method: 'GET', url: '/boom' });
    await api.inject({ method: 'GET', url: '/nothing/9434765919' });
    const spans = exporter.getFinishedSpans();
    expect(spans.find((s) => s.name === 'GET /boom')?.status.code).toBe(2);
    const unknown = spans.find((s) => s.name === 'GET');
    expect(unknown?.attributes['http.response.status_code']).toBe(404);
    await api.close();
  });

  test('tracing off: no spans', async () => {
    const api = await app();
    await api.inject({ method: 'GET', url: '/patients/9434765919/gp-summary', headers: { traceparent: TRACEPARENT } });
    expect(exporter.getFinishedSpans()).toEqual([]);
    await api.close();
  });
});
