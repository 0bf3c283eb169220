/**
 * The identity of a fact: its dedup key, derived from the source's own identity of the fact
 * per channel, and its eventId, a UUID v5 of that key — so the same source fact yields the
 * same id at every layer and on every replay. Pure.
 */
import { createHash } from 'node:crypto';
import type { Brand } from './brand.js';

export type DedupKey = Brand<string, 'DedupKey'>;
export type EventId = Brand<string, 'EventId'>;

/** The project's UUID v5 namespace; changing it would change every event id ever issued. */
export const EVENT_ID_NAMESPACE = '3d1f6c8e-7b2a-5e0d-9c4f-8a6b1e2d7f30';

/**
 * Each part is percent-encoded so a `|` inside a sender's value cannot forge another key. A lone
 * surrogate (which the channels refuse before any key is made) would make `encodeURIComponent`
 * throw; it is written `%uXXXX`, a form percent-encoding never produces, so this stays total.
 */
const part = (value: string): string =>
  LONE_SURROGATE.test(value)
    ? value
        .split(LONE_SURROGATE_PIECES)
        .map((piece, i) =>
          i % 2 === 1 ? `%u${piece.charCodeAt(0).toString(16).toUpperCase()}` : encodeURIComponent(piece),
        )
        .join('')
    : encodeURIComponent(value);
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_PIECES = /(\p{Cs})/u;

/**
 * HL7 v2: sending application (MSH-3) + sending facility (MSH-4) + control id (MSH-10) + the
 * fact's place in the message: `PV1` for the discharge, `DG1#n` / `ORC#n` (n = the segment's
 * 1-based occurrence), so one A03 with two DG1 is three facts.
 */
export function hl7DedupKey(source: {
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly place: string;
}): DedupKey {
  return `hl7v2|${part(source.sendingApplication)}|${part(source.sendingFacility)}|${part(source.controlId)}|${source.place}` as DedupKey;
}

/**
 * FHIR: `<type>/<id>/_history/<versionId>` (versionId defaults to 1); a resource without an id
 * is identified by its Bundle entry's fullUrl. One event per resource version.
 */
export function fhirDedupKey(
  source:
    | { readonly resourceType: string; readonly id: string; readonly versionId?: string | undefined }
    | { readonly fullUrl: string },
): DedupKey {
  if ('fullUrl' in source) return `fhir|${part(source.fullUrl)}` as DedupKey;
  return `fhir|${part(source.resourceType)}/${part(source.id)}/_history/${part(source.versionId ?? '1')}` as DedupKey;
}

/** JSON ingest: the client's Idempotency-Key; one event per submission. */
export function jsonDedupKey(idempotencyKey: string): DedupKey {
  return `json|${part(idempotencyKey)}` as DedupKey;
}

/** UUID v5 (RFC 9562 §5.5) of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function eventIdFor(dedupKey: DedupKey): EventId {
  return uuidV5(dedupKey, EVENT_ID_NAMESPACE) as EventId;
}
