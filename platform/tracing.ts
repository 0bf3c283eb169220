/**
 * The process's OpenTelemetry tracing: a NodeTracerProvider (resource `service.name`,
 * `service.version`; W3C trace-context propagation; async-local context) exporting over
 * OTLP/HTTP when platform/tracingConfig.ts says so, and nothing otherwise: the API's no-op
 * tracer, and the instrumentation asks `tracingEnabled()` before doing any work, so tracing
 * off costs a boolean test. Tests install an exporter of their own (`useSpanExporter`, e.g.
 * an InMemorySpanExporter, spans exported as each ends). One provider at a time per process.
 * I/O (exports spans).
 */
import { readFileSync } from 'node:fs';
import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from './logger.js';
import { DEFAULT_SERVICE_NAME, type TracingConfig } from './tracingConfig.js';

const TRACER_NAME = 'clinical-event-log';

let provider: NodeTracerProvider | undefined;
let enabled = false;

/** Whether spans are being made: instrumentation does nothing more than this test when false. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** The project's tracer (the API's no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The package version, from package.json beside the sources (or beside dist/ in the image); undefined if not found. */
function serviceVersion(): string | undefined {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (json.name === 'clinical-event-log' && typeof json.version === 'string') return json.version;
    } catch {
      // not there: the next candidate
    }
  }
  return undefined;
}

function samplerOf(sampler: { readonly name: string; readonly ratio: number }): Sampler {
  switch (sampler.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(sampler.ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampler.ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function install(next: NodeTracerProvider): void {
  if (provider !== undefined) uninstall();
  provider = next;
  // Sets the global tracer provider, the W3C propagator and the async-local context manager.
  next.register({ propagator: new W3CTraceContextPropagator() });
  enabled = true;
}

function uninstall(): void {
  enabled = false;
  provider = undefined;
  trace.disable();
  context.disable();
  propagation.disable();
}

export type TracingHandle = {
  /** Exports what is pending, then stops tracing (tracing is off again). */
  shutdown(): Promise<void>;
};

const noHandle: TracingHandle = { shutdown: async () => undefined };

/**
 * Starts tracing as configured: with an OTLP endpoint, spans are batched and posted there
 * (OTEL_EXPORTER_OTLP_HEADERS and the exporter's other standard variables apply); off, nothing
 * is changed (an exporter a test installed stays). The handle flushes and stops what this call started.
 */
export function startTracing(config: TracingConfig, logger: Logger): TracingHandle {
  if (config.kind === 'off') return noHandle;
  const next = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      ...versionAttribute(),
    }),
    sampler: samplerOf(config.sampler),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl.toString() }))],
  });
  install(next);
  // Where spans go, never the collector's credentials (they travel in OTEL_EXPORTER_OTLP_HEADERS).
  logger.info(
    {
      tracesEndpoint: `${config.tracesUrl.origin}${config.tracesUrl.pathname}`,
      serviceName: config.serviceName,
      sampler: config.sampler.name,
    },
    'tracing: spans exported over OTLP/HTTP',
  );
  return {
    async shutdown() {
      if (provider !== next) return;
      uninstall();
      await next.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'tracing: spans not all exported'));
    },
  };
}

/**
 * Tests: every span, all sampled, goes to `exporter` as it ends (SimpleSpanProcessor), until
 * the handle's shutdown (which turns tracing off again). Call it before the service starts.
 */
export function useSpanExporter(exporter: SpanExporter): TracingHandle {
  const next = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME, ...versionAttribute() }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  install(next);
  return {
    // The exporter is flushed, not shut down: a test may install it again and read it on.
    async shutdown() {
      if (provider !== next) return;
      uninstall();
      await next.forceFlush();
    },
  };
}

function versionAttribute(): Attributes {
  const version = serviceVersion();
  return version === undefined ? {} : { [ATTR_SERVICE_VERSION]: version };
}

/**
 * Runs `work` inside a new span (its context active, so spans started within are its children)
 * and ends the span when `work` settles; a throw marks it as an error and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span as failed with the error (its type and message; messages here name things, not patients). */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? { name: error.name, message: error.message } : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
}

/** Adds attributes to the span of the current context (an HTTP request's), when tracing is on; a function is called only then. */
export function annotateActiveSpan(attributes: Attributes | (() => Attributes)): void {
  if (!enabled) return;
  const span = trace.getActiveSpan();
  span?.setAttributes(typeof attributes === 'function' ? attributes() : attributes);
}
