import { describe, expect, test } from 'vitest';
import { parsePrometheusText, sampleValue } from '../test/support/parsePrometheusText.js';
import { createMetrics, SCRAPE_STATE_TTL_MS } from './metrics.js';

const scrape = async (metrics: ReturnType<typeof createMetrics>) =>
  parsePrometheusText(await metrics.registry.metrics());

describe('the metrics registry', () => {
  test('counters and histograms by their labels, in the text format', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.ingestAnswered('mllp', 'accepted', 0.02);
    metrics.ingestAnswered('mllp', 'accepted', 0.03);
    metrics.ingestAnswered('fhir', 'rejected', 0.5);
    metrics.published('canonical', 0.01, true);
    metrics.published('canonical', 0.01, false);
    metrics.eventsPublished(['PatientDischarged', 'DiagnosisRecorded', 'DiagnosisRecorded']);
    metrics.batchApplied('gp-view', 3);
    metrics.batchApplied('gp-view', 2);
    metrics.registryRequest('GET /schemas/ids/:id', 'ok');
    metrics.httpAnswered('GET', '/patients/:nhs/gp-summary', '200', 0.004);
    const text = await scrape(metrics);
    expect(sampleValue(text, 'cel_ingest_messages_total', { channel: 'mllp', outcome: 'accepted' })).toBe(2);
    expect(sampleValue(text, 'cel_ingest_messages_total', { channel: 'fhir', outcome: 'rejected' })).toBe(1);
    expect(sampleValue(text, 'cel_ingest_response_seconds_count', { channel: 'mllp' })).toBe(2);
    expect(sampleValue(text, 'cel_ingest_response_seconds_bucket', { channel: 'mllp', le: '0.025' })).toBe(1);
    expect(sampleValue(text, 'cel_kafka_publish_seconds_count', { topic_role: 'canonical' })).toBe(1);
    expect(sampleValue(text, 'cel_kafka_publish_failures_total', { topic_role: 'canonical' })).toBe(1);
    expect(sampleValue(text, 'cel_events_published_total', { type: 'DiagnosisRecorded' })).toBe(2);
    expect(sampleValue(text, 'cel_view_events_applied_total', { view: 'gp-view' })).toBe(5);
    expect(sampleValue(text, 'cel_view_batches_total', { view: 'gp-view' })).toBe(2);
    expect(sampleValue(text, 'cel_schema_registry_requests_total', { operation: 'GET /schemas/ids/:id' })).toBe(1);
    expect(sampleValue(text, 'cel_http_requests_total', { route: '/patients/:nhs/gp-summary', status: '200' })).toBe(1);
    expect(text.types.get('cel_http_request_duration_seconds')).toBe('histogram');
  });

  test('scrape-time gauges from the state source, read once per scrape and cached for a few seconds', async () => {
    let clock = 0;
    let reads = 0;
    const metrics = createMetrics({ defaultMetrics: false, now: () => clock });
    metrics.readScrapeState(async () => {
      reads += 1;
      return {
        deadLetters: { 'gp-view': 2 },
        parkedInputs: 1,
        rejectedInputs: 4,
        viewPositions: [
          { view: 'gp-view', partition: 0, lastApplied: 41n, lag: 3n },
          { view: 'gp-view', partition: 1, lastApplied: undefined, lag: 7n },
        ],
        rebuilds: [{ view: 'care-plan-view', ratio: 0.25 }],
      };
    });
    const text = await scrape(metrics);
    expect(reads).toBe(1);
    expect(sampleValue(text, 'cel_dead_letters_unresolved', { view: 'gp-view' })).toBe(2);
    expect(sampleValue(text, 'cel_parked_inputs')).toBe(1);
    expect(sampleValue(text, 'cel_rejected_inputs')).toBe(4);
    expect(sampleValue(text, 'cel_view_last_applied_offset', { view: 'gp-view', partition: '0' })).toBe(41);
    expect(sampleValue(text, 'cel_view_last_applied_offset', { view: 'gp-view', partition: '1' })).toBeUndefined();
    expect(sampleValue(text, 'cel_view_lag_records', { view: 'gp-view', partition: '1' })).toBe(7);
    expect(sampleValue(text, 'cel_rebuild_progress_ratio', { view: 'care-plan-view' })).toBe(0.25);
    await scrape(metrics);
    expect(reads).toBe(1);
    clock += SCRAPE_STATE_TTL_MS + 1;
    await scrape(metrics);
    expect(reads).toBe(2);
  });

  test('a failed reading leaves the gauges empty and is not kept', async () => {
    let fail = true;
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.readScrapeState(async () => {
      if (fail) throw new Error('database down');
      return { parkedInputs: 3 };
    });
    expect(sampleValue(await scrape(metrics), 'cel_parked_inputs')).toBeUndefined();
    fail = false;
    expect(sampleValue(await scrape(metrics), 'cel_parked_inputs')).toBe(3);
  });

  test('process metrics carry the cel_ prefix; two registries do not share counts', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.ingestAnswered('json', 'duplicate', 0.001);
    const text = await scrape(one);
    expect(text.samples.some((s) => s.name === 'cel_process_cpu_user_seconds_total')).toBe(true);
    expect(text.samples.every((s) => s.name.startsWith('cel_'))).toBe(true);
    expect(sampleValue(await scrape(two), 'cel_ingest_messages_total', { channel: 'json' })).toBeUndefined();
  });
});
