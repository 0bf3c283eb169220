/**
 * The identity of a source message and a hash of the content that matters under it, so that
 * the same identity sent again with other content is told apart from a true resend. JSON (FHIR
 * and the JSON channel) is hashed in a canonical form, so a gateway that re-serialises the same
 * content still sends the same content. Pure.
 */
import { createHash } from 'node:crypto';
import { calendarInstant } from '../../core/calendarInstant.js';
import type { MessageSource } from '../eventDraft.js';
import type { Hl7Message } from '../hl7v2/hl7Message.js';
import { quoteInReason, type Rejection } from '../rejection.js';

/** What a channel says about one unit's content: its hash, and where its identity sits (for the rejection). */
export type SourceContent = { readonly hash: string; readonly location: string };

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The identity the content hash is kept under, as the dedup keys count it: HL7 sending
 * application + facility + control id (not the version), FHIR resource type/id (or fullUrl) +
 * version, JSON the Idempotency-Key. Parts are percent-encoded (no separator can be forged,
 * no NUL reaches PostgreSQL).
 */
export function sourceIdentityOf(source: MessageSource): string {
  const part = (value: string | null): string => encodeURIComponent(value ?? '');
  switch (source.channel) {
    case 'HL7V2':
      return `hl7v2|${part(source.system)}|${part(source.facility)}|${part(source.messageId)}`;
    case 'FHIR':
      return `fhir|${part(source.messageId)}|${part(source.messageVersion)}`;
    case 'JSON':
      return `json|${part(source.messageId)}`;
    case 'UNKNOWN':
      return `unknown|${part(source.system)}|${part(source.messageId)}|${part(source.messageVersion)}`;
  }
}

/**
 * HL7 v2: the parsed message without MSH-7, which engines regenerate on a resend. The
 * delimiters (MSH-1, MSH-2), escapes and segment terminators are how the content is written,
 * not the content, and trailing empty fields, repetitions and components are absent ones; so
 * the hash is of the decoded leaves, trailing empties dropped. Every other field counts,
 * MSH-10 included (it is the identity itself, the same by definition).
 */
export function hl7ContentHash(message: Hl7Message): string {
  const segments = message.segments.map((segment) => {
    const fields = segment.id === 'MSH' ? ['', '', ...segment.fields.slice(2)] : segment.fields;
    const kept = segment.id === 'MSH' ? fields.map((field, i) => (i === 6 ? '' : field)) : fields;
    return [segment.id, trimTrailingEmpty(kept)];
  });
  return sha256Hex(JSON.stringify(segments));
}

/** Nested string arrays without trailing empty elements at any level ('' and [] are empty). */
function trimTrailingEmpty(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const trimmed = value.map(trimTrailingEmpty);
  while (trimmed.length > 0 && isEmpty(trimmed[trimmed.length - 1])) trimmed.pop();
  return trimmed;
}

const isEmpty = (value: unknown): boolean => value === '' || (Array.isArray(value) && value.length === 0);

/** A JSON number in canonical decimal form: `<sign><digits>e<exponent>`, digits without leading or trailing zeros. */
class CanonicalNumber {
  constructor(readonly text: string) {}
}

/** Exact, whatever the magnitude: `1`, `1.0`, `1e0` and `10e-1` are all `1e0`; `-0` is `0e0`. */
export function canonicalNumberText(source: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(source);
  if (match === null) return source;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let power = BigInt(exponent) - BigInt(fraction.length);
  if (digits === '') return '0e0';
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  power += BigInt(trailing);
  return `${sign}${digits}e${power}`;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 date-time with a zone, as the same instant in UTC with the fraction's trailing
 * zeros dropped (`2026-03-01T10:00:00.500+01:00` → `2026-03-01T09:00:00.5Z`); any other string
 * (a date, a local time, an impossible date) unchanged.
 */
export function canonicalInstantText(text: string): string {
  const match = INSTANT.exec(text);
  if (match === null) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = match;
  const offsetMinutes =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = calendarInstant({ year, month, day, hour, minute, second }, offsetMinutes);
  // A date that does not exist (31 February, hour 24, second 60) is not an instant: left as written.
  if (at === undefined) return text;
  const utc = at.toISOString().replace(/\.000Z$/, '');
  const digits = fraction.replace(/0+$/, '');
  return `${utc}${digits === '' ? '' : `.${digits}`}Z`;
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { readonly source?: string }) => unknown;

/**
 * The JSON text parsed with every number kept exactly (as its source text, in canonical form)
 * and every instant normalised; undefined when the text is not JSON. Key order and whitespace
 * are gone by construction; `canonicalJsonText` writes the result with keys sorted.
 */
export function parseCanonicalJson(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value === 'number') return new CanonicalNumber(canonicalNumberText(context?.source ?? String(value)));
    if (typeof value === 'string') return canonicalInstantText(value);
    return value;
  };
  try {
    return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  } catch {
    return undefined;
  }
}

/** A value from `parseCanonicalJson`, written with object keys sorted and numbers in canonical form. */
export function canonicalJsonText(value: unknown): string {
  if (value instanceof CanonicalNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(canonicalJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of a parsed value's canonical form. */
export const jsonContentHash = (value: unknown): string => sha256Hex(canonicalJsonText(value));

/**
 * The refusal of a source identity accepted before with other content, in the sender's terms:
 * it names the identity (cut as reasons cut a sender's codes), never the content.
 */
export function reusedIdentifierRejection(source: MessageSource, location: string): Rejection {
  const id = quoteInReason(source.messageId ?? '');
  const reason =
    source.channel === 'HL7V2'
      ? `control id ${id} was accepted before with other content; a changed message needs a new MSH-10`
      : source.channel === 'FHIR'
        ? `${id} version ${quoteInReason(source.messageVersion ?? '1')} was received before with other content; a changed resource needs a new meta.versionId`
        : `Idempotency-Key ${id} was used before with another body; a new event needs a new key`;
  return { kind: 'reused-identifier', location, reason };
}
