/**
 * The label values the metrics carry, each from a bounded set: a channel, an ingest outcome, a
 * route pattern, a registry operation. Nothing here takes a patient identifier, a control id,
 * an event id or free text into a label. Pure.
 */

import { ackRules } from '../producers/hl7v2/buildAck.js';
import type { IngestOutcome } from '../producers/ingest/ingestService.js';
import type { Channel } from '../schemas/generated/events.js';

export type ChannelLabel = 'mllp' | 'fhir' | 'json' | 'unknown';

const channels: Readonly<Record<Channel, ChannelLabel>> = {
  HL7V2: 'mllp',
  FHIR: 'fhir',
  JSON: 'json',
  UNKNOWN: 'unknown',
};

export const channelLabel = (channel: Channel): ChannelLabel => channels[channel] ?? 'unknown';

/**
 * What became of one inbound message: the ingest outcome's kind, except that an HL7 rejection
 * answered AR (the message could not be taken at all) is `refused`, and AE stays `rejected`.
 */
export type IngestOutcomeLabel =
  | 'accepted'
  | 'duplicate'
  | 'parked'
  | 'ignored'
  | 'rejected'
  | 'refused'
  | 'unavailable'
  | 'failed';

export const ingestOutcomeLabels: readonly IngestOutcomeLabel[] = [
  'accepted',
  'duplicate',
  'parked',
  'ignored',
  'rejected',
  'refused',
  'unavailable',
  'failed',
];

export function ingestOutcomeLabel(outcome: IngestOutcome, channel: Channel): IngestOutcomeLabel {
  if (outcome.kind !== 'rejected') return outcome.kind;
  return channel === 'HL7V2' && ackRules[outcome.rejection.kind].ack === 'AR' ? 'refused' : 'rejected';
}

/** The route as fastify names it (`/patients/:nhs/gp-summary`), never the URL; no route is `unmatched`. */
export const routeLabel = (routePattern: string | undefined): string =>
  routePattern === undefined || routePattern === '' ? 'unmatched' : routePattern;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const methodLabel = (method: string): string => (KNOWN_METHODS.has(method) ? method : 'OTHER');

/** HTTP status as a label: the code itself (a bounded set of three digits). */
export const statusLabel = (status: number): string =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';

/**
 * A schema-registry request as a bounded operation: the method and the path with subjects,
 * versions and ids replaced by their parameter names (`POST /subjects/:subject/versions`).
 */
export function registryOperationLabel(method: string, path: string): string {
  const pattern = `/${path.replace(/^\//, '').split('?')[0] ?? ''}`
    .replace(/^\/subjects\/[^/]+/, '/subjects/:subject')
    .replace(/\/versions\/[^/]+/, '/versions/:version')
    .replace(/^\/schemas\/ids\/[^/]+/, '/schemas/ids/:id')
    .replace(/^\/config\/[^/]+/, '/config/:subject')
    .replace(/^\/compatibility\/subjects\/[^/]+/, '/compatibility/subjects/:subject');
  const known =
    /^\/(|subjects|subjects\/:subject(\/versions(\/:version(\/schema)?)?)?|schemas\/ids\/:id(\/schema)?|config(\/:subject)?|compatibility\/subjects\/:subject\/versions(\/:version)?|mode)$/;
  return `${methodLabel(method.toUpperCase())} ${known.test(pattern) ? pattern : 'other'}`;
}

export type RegistryOutcomeLabel = 'ok' | 'not-found' | 'client-error' | 'server-error' | 'unreachable';

export function registryOutcomeLabel(status: number | 'unreachable'): RegistryOutcomeLabel {
  if (status === 'unreachable' || status < 100) return 'unreachable';
  if (status >= 200 && status < 400) return 'ok';
  if (status === 404) return 'not-found';
  return status < 500 ? 'client-error' : 'server-error';
}
