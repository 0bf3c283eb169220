/**
 * What a FHIR request's span records about its resources: the id as sent (`fhir.resource_id`)
 * and its type and version for a single resource, the resource keys (`<type>/<id>/_history/<v>`,
 * at most 100) of a Bundle's entries. The ids are the sender's resource ids, which support needs
 * to find a submission's trace. Pure.
 */
import type { Attributes } from '@opentelemetry/api';
import type { IngestOutcome } from '../ingest/ingestService.js';
import type { FhirExtra } from './interpretFhir.js';

const MAX_KEYS = 100;

/** `Encounter/enc-1/_history/2` as type, id and version; a key of another form (a Bundle entry's fullUrl) as the id. */
export function resourceKeyParts(key: string): { type?: string; id: string; version?: string } {
  const match = /^([A-Za-z]+)\/([^/]+)(?:\/_history\/([^/]+))?$/.exec(key);
  if (match === null || match[1] === undefined || match[2] === undefined) return { id: key };
  return { type: match[1], id: match[2], ...(match[3] === undefined ? {} : { version: match[3] }) };
}

export function fhirSpanAttributes(outcome: IngestOutcome): Attributes {
  if (outcome.kind === 'unavailable') return {};
  const extra = outcome.interpretation.extra as FhirExtra | undefined;
  if (extra === undefined) return {};
  if (extra.shape === 'resource') {
    if (extra.resourceKey === undefined) return {};
    const parts = resourceKeyParts(extra.resourceKey);
    return {
      'fhir.resource_id': parts.id,
      ...(parts.type === undefined ? {} : { 'fhir.resource_type': parts.type }),
      ...(parts.version === undefined ? {} : { 'fhir.version_id': parts.version }),
    };
  }
  return {
    'fhir.bundle_type': extra.shape,
    'fhir.entry_count': extra.entries.length,
    'fhir.resource_keys': extra.entries.slice(0, MAX_KEYS).map((entry) => entry.resourceKey),
  };
}
