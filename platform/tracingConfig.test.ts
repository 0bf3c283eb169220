import { describe, expect, test } from 'vitest';
import { parseTracingConfig, tracesUrlOf } from './tracingConfig.js';

const parse = (env: Record<string, string>) => {
  const problems: { variable: string; message: string }[] = [];
  const config = parseTracingConfig(
    (name) => env[name],
    (variable, message) => problems.push({ variable, message }),
  );
  return { config, problems };
};

describe('tracing configuration', () => {
  test('off without an endpoint', () => {
    expect(parse({})).toEqual({ config: { kind: 'off' }, problems: [] });
  });

  test('a base endpoint gets /v1/traces; a traces endpoint is used as it is and wins', () => {
    expect(tracesUrlOf('http://collector:4318', undefined)).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlOf('http://collector:4318/', undefined)).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlOf('http://a:4318', 'http://b:4318/custom')).toBe('http://b:4318/custom');
    const { config } = parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(config).toEqual({
      kind: 'otlp',
      tracesUrl: new URL('http://127.0.0.1:4318/v1/traces'),
      serviceName: 'clinical-event-log',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
  });

  test('service name and sampler', () => {
    const { config, problems } = parse({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/v1/traces',
      OTEL_SERVICE_NAME: 'cel-ingest',
      OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      kind: 'otlp',
      serviceName: 'cel-ingest',
      sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
    });
  });

  test('OTEL_SDK_DISABLED=true turns it off', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).config).toEqual({
      kind: 'off',
    });
  });

  test('bad values are named', () => {
    const { problems } = parse({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_SDK_DISABLED: 'maybe',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_SDK_DISABLED',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
  });
});
