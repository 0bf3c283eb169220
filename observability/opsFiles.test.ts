/**
 * The files under ops/: the Prometheus alert rules parse and each rule has what Alertmanager
 * and a person need; the Grafana dashboard has the schema's basics; and every metric name an
 * expression or a panel uses is one the service registers (a renamed metric breaks this test,
 * not the dashboard in production).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from './metrics.js';

const read = (path: string) => readFileSync(new URL(`../ops/${path}`, import.meta.url), 'utf8');

/** Every name the registry exposes, with a histogram's _bucket, _sum and _count series. */
async function registeredNames(): Promise<ReadonlySet<string>> {
  const names = new Set<string>();
  for (const metric of await createMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** The project's metric names a PromQL expression uses (label names and functions are never `cel_…`). */
const metricNamesIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(cel_[a-zA-Z0-9_:]+)\b/g)].map((m) => m[1] ?? '');

type Rule = {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
};

describe('ops/prometheus/alerts.yml', () => {
  const doc = parse(read('prometheus/alerts.yml')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  const rules = (doc.groups ?? []).flatMap((g) => g.rules ?? []);

  test('groups of rules, each with alert, expr, for, a severity and a summary', () => {
    expect(doc.groups?.length).toBeGreaterThan(0);
    for (const group of doc.groups ?? []) expect(typeof group.name).toBe('string');
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(typeof rule.expr, String(rule.alert)).toBe('string');
      expect(rule.for, String(rule.alert)).toMatch(/^\d+[smhd]$/);
      expect(['critical', 'warning', 'info'], String(rule.alert)).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary, String(rule.alert)).toBe('string');
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test('the alerts the runbook needs are there', () => {
    const exprOf = (name: string) => String(rules.find((r) => r.alert === name)?.expr ?? '');
    expect(exprOf('CelTargetDown')).toMatch(/\bup\b/);
    expect(exprOf('CelViewLagHigh')).toContain('cel_view_lag_records');
    expect(exprOf('CelDeadLettersUnresolved')).toMatch(/cel_dead_letters_unresolved\)? *> *0/);
    expect(exprOf('CelHl7RefusedRateHigh')).toContain('outcome="refused"');
    expect(exprOf('CelKafkaPublishFailing')).toContain('cel_kafka_publish_failures_total');
  });

  test('every metric an expression uses is registered', async () => {
    const known = await registeredNames();
    const used = rules.flatMap((r) => metricNamesIn(String(r.expr)));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('ops/grafana/clinical-event-log.json', () => {
  type Panel = {
    id?: unknown;
    title?: unknown;
    type?: unknown;
    gridPos?: unknown;
    targets?: { refId?: unknown; expr?: unknown }[];
  };
  const dashboard = JSON.parse(read('grafana/clinical-event-log.json')) as {
    uid?: unknown;
    title?: unknown;
    schemaVersion?: unknown;
    panels?: Panel[];
  };

  test('a uid, a title, a schema version, and panels each with a title, a type, a position and targets', () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(typeof dashboard.title).toBe('string');
    expect(typeof dashboard.schemaVersion).toBe('number');
    const panels = dashboard.panels ?? [];
    expect(panels.length).toBeGreaterThanOrEqual(6);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(typeof panel.title).toBe('string');
      expect(typeof panel.type).toBe('string');
      expect(panel.gridPos).toMatchObject({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect(panel.targets?.length, String(panel.title)).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(typeof target.refId).toBe('string');
        expect(typeof target.expr).toBe('string');
      }
    }
  });

  test('panels for ingest by outcome, ACK latency, view lag, dead letters, held inputs and HTTP errors', () => {
    const exprs = (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => String(t.expr)));
    for (const needed of [
      /cel_ingest_messages_total/,
      /histogram_quantile\(0\.5, .*cel_ingest_response_seconds_bucket/,
      /histogram_quantile\(0\.99, .*cel_ingest_response_seconds_bucket/,
      /cel_view_lag_records/,
      /cel_dead_letters_unresolved/,
      /cel_parked_inputs/,
      /cel_rejected_inputs/,
      /cel_http_requests_total\{status=~"4\.\.\|5\.\."\}/,
    ])
      expect(
        exprs.some((e) => needed.test(e)),
        String(needed),
      ).toBe(true);
  });

  test('every metric a panel uses is registered', async () => {
    const known = await registeredNames();
    const used = (dashboard.panels ?? []).flatMap((p) =>
      (p.targets ?? []).flatMap((t) => metricNamesIn(String(t.expr))),
    );
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });
});
