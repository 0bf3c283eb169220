/**
 * Traces the HTTP API: a server span per request, named `<METHOD> <route pattern>`, whose parent
 * is the W3C `traceparent`/`tracestate` the caller sent (a new trace without one). The route
 * pattern (`/patients/:nhsNumber/gp-summary`), never the URL, is what the span records, so no
 * NHS number reaches a trace; the correlation id and the status code are attributes. The
 * request's handler runs with the span's context active, so the spans it causes (the Kafka
 * writes) are its children. Hooks on the root instance: every route, and the refusals of
 * hooks registered after these. Tracing off: the hooks return at once. I/O.
 */
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type CarrierHeaders, contextFromHeaders } from '../platform/traceHeaders.js';
import { failSpan, tracer, tracingEnabled } from '../platform/tracing.js';

/** The span's name: the method and the route pattern; the method alone for a request no route matched. */
export function httpSpanName(method: string, route: string | undefined): string {
  return route === undefined ? method : `${method} ${route}`;
}

/** What a request's span records: method, route pattern, scheme and correlation id (no URL, no query, no body). */
export function httpRequestAttributes(request: {
  readonly method: string;
  readonly route: string | undefined;
  readonly protocol: string;
  readonly correlationId: string;
}): Attributes {
  return {
    'http.request.method': request.method,
    ...(request.route === undefined ? {} : { 'http.route': request.route }),
    'url.scheme': request.protocol,
    'cel.correlation_id': request.correlationId,
  };
}

type Traced = { readonly span: Span; readonly context: Context };

export function registerTracingHooks(app: FastifyInstance): void {
  const traced = new WeakMap<FastifyRequest, Traced>();

  const end = (request: FastifyRequest, statusCode: number | undefined) => {
    const entry = traced.get(request);
    if (entry === undefined) return;
    traced.delete(request);
    if (statusCode !== undefined) {
      entry.span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    entry.span.end();
  };

  app.addHook('onRequest', (request, _reply, done) => {
    if (!tracingEnabled()) return done();
    const route = request.routeOptions.url;
    const parent = contextFromHeaders(request.headers as CarrierHeaders, ROOT_CONTEXT);
    const span = tracer().startSpan(
      httpSpanName(request.method, route),
      {
        kind: SpanKind.SERVER,
        attributes: httpRequestAttributes({
          method: request.method,
          route,
          protocol: request.protocol,
          correlationId: String(request.id),
        }),
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    traced.set(request, { span, context: active });
    context.with(active, done);
  });
  // The body is read outside the request's context; the handler (and the hooks before it) run inside it again.
  app.addHook('preHandler', (request, _reply, done) => {
    const entry = traced.get(request);
    if (entry === undefined) return done();
    context.with(entry.context, done);
  });
  app.addHook('onError', (request, _reply, error, done) => {
    const entry = traced.get(request);
    if (entry !== undefined) failSpan(entry.span, error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    traced.get(request)?.span.setAttribute('cel.aborted', true);
    end(request, undefined);
    done();
  });
}
