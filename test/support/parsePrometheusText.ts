/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line is
 * `# HELP name text`, `# TYPE name type`, another comment, blank, or
 * `name{label="value",...} value [timestamp]` (Inf and NaN in any case, as Go's ParseFloat
 * reads them); anything else throws naming the line. Pure.
 */

export type Sample = {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
};

export type Exposition = {
  readonly samples: readonly Sample[];
  /** Declared type per metric family (`counter`, `gauge`, `histogram` …). */
  readonly types: ReadonlyMap<string, string>;
};

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?)|[-+]?[Ii][Nn][Ff]|[Nn][Aa][Nn])';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE})(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const PAIR = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g');
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const unescapeLabel = (quoted: string) =>
  quoted.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Go's ParseFloat, which Prometheus uses, takes Inf and NaN in any case (prom-client writes `Nan`). */
const numberOf = (text: string) => {
  const lower = text.toLowerCase();
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  return lower === 'nan' ? NaN : Number(text);
};

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type !== null) {
        const [, name = '', kind = ''] = type;
        if (!new RegExp(`^${NAME}$`).test(name) || !TYPES.has(kind)) throw new Error(`bad TYPE at ${where}`);
        if (types.has(name)) throw new Error(`second TYPE for ${name} at ${where}`);
        types.set(name, kind);
        return;
      }
      if (line.startsWith('# HELP ') && !new RegExp(`^# HELP ${NAME}( .*)?$`).test(line))
        throw new Error(`bad HELP at ${where}`);
      return;
    }
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample at ${where}`);
    const [, name = '', labelText = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const pair of labelText.matchAll(PAIR)) {
      const [, label = '', quoted = '""'] = pair;
      if (label in labels) throw new Error(`label ${label} twice at ${where}`);
      labels[label] = unescapeLabel(quoted);
    }
    samples.push({ name, labels, value: numberOf(value) });
  });
  return { samples, types };
}

/** The value of the one sample with this name and these labels (others ignored), or undefined. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  return exposition.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}
