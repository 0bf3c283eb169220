/**
 * A small reader of the Prometheus text exposition (what GET /metrics answers) for the
 * operations page: samples with their labels and values; comments, blank lines and lines it
 * cannot read are skipped (a chart should not fail on one odd line). Pure.
 */

export type MetricSample = {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
};

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (value: string) => value.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));

function number(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const n = Number(text);
  return text.trim() === '' || Number.isNaN(n) ? undefined : n;
}

/** The samples of an exposition, in order. */
export function parseMetricsText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const [, name, labelText, valueText] = match;
    if (name === undefined || valueText === undefined) continue;
    const value = number(valueText);
    if (value === undefined) continue;
    const labels: Record<string, string> = {};
    for (const pair of (labelText ?? '').matchAll(LABEL)) {
      const [, key, quoted] = pair;
      if (key !== undefined && quoted !== undefined) labels[key] = unescapeLabel(quoted);
    }
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `where`. */
export function sumOf(
  samples: readonly MetricSample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([key, value]) => sample.labels[key] === value)) total += sample.value;
  }
  return total;
}

/** A metric's values summed by one label (e.g. lag by view over its partitions). */
export function sumBy(samples: readonly MetricSample[], name: string, label: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sample of samples) {
    const key = sample.labels[label];
    if (sample.name !== name || key === undefined) continue;
    totals.set(key, (totals.get(key) ?? 0) + sample.value);
  }
  return totals;
}
