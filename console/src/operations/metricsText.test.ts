import { describe, expect, it } from 'vitest';
import { parseMetricsText, sumBy, sumOf } from './metricsText.js';

const exposition = [
  '# HELP cel_ingest_messages_total Inbound messages answered',
  '# TYPE cel_ingest_messages_total counter',
  'cel_ingest_messages_total{channel="mllp",outcome="accepted"} 7',
  'cel_ingest_messages_total{channel="fhir",outcome="accepted"} 3',
  'cel_ingest_messages_total{channel="mllp",outcome="rejected"} 2',
  'cel_view_lag_records{view="gp-summary",partition="0"} 4',
  'cel_view_lag_records{view="gp-summary",partition="1"} 1',
  'cel_view_lag_records{view="timeline",partition="0"} 0',
  'cel_odd{note="a \\"quoted\\" value, with } brace"} 1.5e2 1700000000000',
  'process_up +Inf',
  'this line is not a sample',
  '',
].join('\n');

describe('the console reads the metrics exposition', () => {
  const samples = parseMetricsText(exposition);
  it('reads samples with labels and values, skipping comments and lines it cannot read', () => {
    expect(samples).toHaveLength(8);
    expect(samples[0]).toEqual({
      name: 'cel_ingest_messages_total',
      labels: { channel: 'mllp', outcome: 'accepted' },
      value: 7,
    });
    expect(samples[6]).toEqual({ name: 'cel_odd', labels: { note: 'a "quoted" value, with } brace' }, value: 150 });
    expect(samples[7]?.value).toBe(Number.POSITIVE_INFINITY);
  });
  it('sums a metric over the samples whose labels match', () => {
    expect(sumOf(samples, 'cel_ingest_messages_total')).toBe(12);
    expect(sumOf(samples, 'cel_ingest_messages_total', { outcome: 'accepted' })).toBe(10);
    expect(sumOf(samples, 'cel_missing')).toBe(0);
  });
  it('sums a metric by one label', () => {
    expect(sumBy(samples, 'cel_view_lag_records', 'view')).toEqual(
      new Map([
        ['gp-summary', 5],
        ['timeline', 0],
      ]),
    );
  });
});
