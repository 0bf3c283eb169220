/**
 * GET /metrics on the running service after the sample timeline: the exposition parses as
 * Prometheus text; the ingest counters per channel and outcome are the samples' expected
 * outcomes (expected/*.json, a timeline resend a duplicate); events published per type are the
 * events on the log; every view has applied its batches with no lag left; the held-input
 * gauges match; no label value is an NHS number or carries a sample's control id. Anonymous
 * from loopback and an operator token are served; through a proxy without a token is 401.
 * With METRICS_BEARER_TOKEN_FILE, its token is served from anywhere and another is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { viewNames } from '../../consumers/views.js';
import { parsePrometheusText, type Sample, sampleValue } from '../support/parsePrometheusText.js';
import { type ExpectedOutcome, expectedOutcomes, SAMPLES_DIR } from '../support/samples.js';
import {
  deliverSample,
  readCanonicalEvents,
  serviceTestWith,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';

type TimelineLine = { seq: number; file: string; duplicateOf?: string };

const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as TimelineLine);
const expectedByInput = new Map(expectedOutcomes().map((e) => [e.input, e]));
const channelOf = { hl7v2: 'mllp', fhir: 'fhir', json: 'json' } as const;

/** The outcome label a line's expected outcome gives: a resend is a duplicate; an HL7 AR is refused. */
function expectedLabel(line: TimelineLine, expected: ExpectedOutcome): string {
  if (line.duplicateOf !== undefined) return 'duplicate';
  if (expected.outcome === 'rejected' && expected.ack === 'AR') return 'refused';
  return expected.outcome;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const labelValues = (samples: readonly Sample[]) => samples.flatMap((s) => Object.values(s.labels));

describe('GET /metrics on the running service', () => {
  test('after the sample timeline the counters and gauges are what the samples say', async ({ service }) => {
    const metricsUrl = `${service.httpUrl}/metrics`;
    for (const line of timeline) await deliverSample(service, line.file);
    await service.ingest.idle();
    await expect
      .poll(
        async () =>
          ((await (await fetchWithRole(`${service.httpUrl}/health`)).json()) as { viewLag?: unknown }).viewLag,
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toMatchObject(Object.fromEntries(viewNames.map((v) => [v, 0])));

    // Anonymous from this machine (fetch connects from 127.0.0.1).
    const anonymous = await fetch(metricsUrl);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parsePrometheusText(await anonymous.text());

    // Ingest counters: one per timeline line, by channel and expected outcome.
    const expectedCounts = countBy(timeline, (line) => {
      const expected = expectedByInput.get(line.file);
      if (expected === undefined) throw new Error(`no expected outcome for ${line.file}`);
      return `${channelOf[expected.channel]} ${expectedLabel(line, expected)}`;
    });
    const counted = new Map(
      metrics.samples
        .filter((s) => s.name === 'cel_ingest_messages_total')
        .map((s) => [`${s.labels.channel} ${s.labels.outcome}`, s.value]),
    );
    expect(counted).toEqual(expectedCounts);
    for (const channel of new Set([...expectedCounts.keys()].map((k) => k.split(' ')[0] ?? ''))) {
      const n = [...expectedCounts].filter(([k]) => k.startsWith(`${channel} `)).reduce((sum, [, v]) => sum + v, 0);
      expect(sampleValue(metrics, 'cel_ingest_response_seconds_count', { channel }), channel).toBe(n);
    }

    // Events published per type: the events on the log (parked ones included once released).
    const onLog = countBy(await readCanonicalEvents(service), (e) => e.type);
    const published = new Map(
      metrics.samples.filter((s) => s.name === 'cel_events_published_total').map((s) => [s.labels.type, s.value]),
    );
    expect(published).toEqual(onLog);
    expect(sampleValue(metrics, 'cel_kafka_publish_seconds_count', { topic_role: 'canonical' })).toBeGreaterThan(0);
    expect(sampleValue(metrics, 'cel_kafka_publish_seconds_count', { topic_role: 'raw' })).toBe(timeline.length);

    // Every view applied batches and has nothing left; its last applied offsets are shown.
    for (const view of viewNames) {
      expect(sampleValue(metrics, 'cel_view_batches_total', { view }), view).toBeGreaterThan(0);
      expect(sampleValue(metrics, 'cel_view_events_applied_total', { view }), view).toBeGreaterThan(0);
      const lag = metrics.samples.filter((s) => s.name === 'cel_view_lag_records' && s.labels.view === view);
      expect(lag.length, view).toBe(3); // TOPIC_PARTITIONS of the service under test
      expect(
        lag.every((s) => s.value === 0),
        view,
      ).toBe(true);
      expect(metrics.samples.some((s) => s.name === 'cel_view_last_applied_offset' && s.labels.view === view)).toBe(
        true,
      );
    }

    // Held inputs: the parked one was released; the rejected ones wait for an operator.
    const rejectedLines = timeline.filter((l) => expectedByInput.get(l.file)?.outcome === 'rejected').length;
    expect(sampleValue(metrics, 'cel_parked_inputs')).toBe(0);
    expect(sampleValue(metrics, 'cel_rejected_inputs')).toBe(rejectedLines);
    expect(metrics.samples.filter((s) => s.name === 'cel_dead_letters_unresolved')).toEqual([]);
    expect(
      metrics.samples.some((s) => s.name === 'cel_schema_registry_requests_total' && s.labels.outcome === 'ok'),
    ).toBe(true);
    expect(
      sampleValue(metrics, 'cel_http_requests_total', { method: 'POST', route: '/fhir', status: '200' }),
    ).toBeGreaterThan(0);
    expect(metrics.samples.some((s) => s.name === 'cel_process_resident_memory_bytes')).toBe(true);

    // No label carries a patient or message identifier.
    const controlIds = expectedOutcomes()
      .map((e) => e.sourceIdentity?.controlId)
      .filter((id): id is string => id !== undefined && id.length >= 4);
    expect(controlIds.length).toBeGreaterThan(0);
    const values = labelValues(metrics.samples);
    expect(values.filter((v) => /\d{10}/.test(v))).toEqual([]);
    expect(values.filter((v) => controlIds.some((id) => v.includes(id)))).toEqual([]);

    // An operator's token is served; without one, through a proxy, it is refused.
    expect((await fetch(metricsUrl, { headers: await service.authHeader('operator') })).status).toBe(200);
    expect((await fetch(metricsUrl, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: await service.authHeader('gp') })).status).toBe(403);
  });
});

const scrapeToken = randomBytes(32).toString('hex');
const scrapeTokenFile = join(mkdtempSync(join(tmpdir(), 'cel-scrape-')), 'token');
writeFileSync(scrapeTokenFile, `${scrapeToken}\n`, { mode: 0o600 });
const withScrapeToken = serviceTestWith({ METRICS_BEARER_TOKEN_FILE: scrapeTokenFile });

describe('the static scrape token', () => {
  withScrapeToken(
    'METRICS_BEARER_TOKEN_FILE: its token is served through a proxy; another token is 401',
    async ({ service }) => {
      const metricsUrl = `${service.httpUrl}/metrics`;
      const proxied = { 'x-forwarded-for': '203.0.113.7' };
      const served = await fetch(metricsUrl, { headers: { ...proxied, authorization: `Bearer ${scrapeToken}` } });
      expect(served.status).toBe(200);
      expect(parsePrometheusText(await served.text()).types.get('cel_ingest_messages_total')).toBe('counter');
      const wrong = await fetch(metricsUrl, {
        headers: { ...proxied, authorization: `Bearer ${scrapeToken.slice(1)}x` },
      });
      expect(wrong.status).toBe(401);
      expect((await fetch(metricsUrl, { headers: proxied })).status).toBe(401);
    },
  );
});
