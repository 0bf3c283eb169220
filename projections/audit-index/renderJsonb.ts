/**
 * A JSON value as PostgreSQL renders it back from a `jsonb` column (`payload::text`): keys
 * sorted by byte length, then bytewise, `", "` and `": "` separators, numbers in plain
 * decimal, and only `"`, `\` and control characters escaped. The audit chain hashes this
 * text, so the indexer and the verifier agree without trusting a driver's parsing. Pure.
 */
import type { Json } from './eventJson.js';

export function renderJsonb(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return renderString(value);
  if (typeof value === 'number') return renderNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(renderJsonb).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: Json });
  entries.sort(([a], [b]) => compareKeys(a, b));
  return `{${entries.map(([k, v]) => `${renderString(k)}: ${renderJsonb(v)}`).join(', ')}}`;
}

/** jsonb's key order: shorter (in UTF-8 bytes) first, then bytewise. */
function compareKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** PostgreSQL's escape_json: everything from U+0020 up, U+007F and beyond included, is literal. */
function renderString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (ch < ' ') out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A number as numeric_out prints what JSON.stringify wrote: JavaScript's shortest decimal,
 * with an exponent (1e+21, 1e-7) expanded to plain digits.
 */
function renderNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null'; // JSON.stringify writes null for NaN and ±Infinity
  const text = JSON.stringify(n);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent); // where the decimal point falls in `digits`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
