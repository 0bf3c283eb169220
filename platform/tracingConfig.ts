/**
 * The OpenTelemetry trace settings, from the standard OTEL_* variables: where spans go over
 * OTLP/HTTP (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or OTEL_EXPORTER_OTLP_ENDPOINT with
 * `/v1/traces`), the service name and the sampler. Neither endpoint set, or OTEL_SDK_DISABLED=true:
 * tracing is off. Pure: platform/tracing.ts starts the exporter.
 */

export const samplerNames = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;

export type SamplerName = (typeof samplerNames)[number];

export type TracingConfig =
  | { readonly kind: 'off' }
  | {
      readonly kind: 'otlp';
      /** Where the OTLP/HTTP exporter posts spans (JSON encoding). */
      readonly tracesUrl: URL;
      /** OTEL_SERVICE_NAME; `clinical-event-log` by default. */
      readonly serviceName: string;
      readonly sampler: { readonly name: SamplerName; readonly ratio: number };
    };

export const DEFAULT_SERVICE_NAME = 'clinical-event-log';

/** The endpoint for traces: a signal-specific one as it is, a base one with `/v1/traces` appended (the OTLP rule). */
export function tracesUrlOf(base: string | undefined, specific: string | undefined): string | undefined {
  if (specific !== undefined) return specific;
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export function parseTracingConfig(
  value: (name: string) => string | undefined,
  problem: (variable: string, message: string) => void,
): TracingConfig {
  const disabled = value('OTEL_SDK_DISABLED')?.toLowerCase();
  if (disabled !== undefined && disabled !== 'true' && disabled !== 'false') {
    problem('OTEL_SDK_DISABLED', `"${disabled}": expected true or false`);
  }
  const specific = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const raw = tracesUrlOf(value('OTEL_EXPORTER_OTLP_ENDPOINT'), specific);
  const samplerRaw = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  const samplerName = samplerNames.find((name) => name === samplerRaw);
  if (samplerName === undefined) {
    problem('OTEL_TRACES_SAMPLER', `"${samplerRaw}": expected one of ${samplerNames.join(', ')}`);
  }
  const ratioRaw = value('OTEL_TRACES_SAMPLER_ARG');
  const ratio = ratioRaw === undefined ? 1 : Number(ratioRaw);
  if (ratioRaw !== undefined && (!/^\d*\.?\d+$/.test(ratioRaw) || ratio < 0 || ratio > 1)) {
    problem('OTEL_TRACES_SAMPLER_ARG', `"${ratioRaw}": expected a sampling ratio from 0 to 1, e.g. 0.25`);
  }
  const serviceName = value('OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  if (raw === undefined || disabled === 'true') return { kind: 'off' };
  const variable = specific === undefined ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  let tracesUrl: URL | undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') tracesUrl = url;
  } catch {
    // reported below
  }
  if (tracesUrl === undefined) {
    problem(
      variable,
      `"${raw}": expected an http:// or https:// URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318`,
    );
    return { kind: 'off' };
  }
  return { kind: 'otlp', tracesUrl, serviceName, sampler: { name: samplerName ?? 'parentbased_always_on', ratio } };
}
