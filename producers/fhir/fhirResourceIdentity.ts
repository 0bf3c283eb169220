/**
 * The identity of one FHIR resource version: its key `<type>/<id>/_history/<versionId>`, the
 * dedup key of the event it yields and the provenance its events carry. Pure.
 */
import { type DedupKey, fhirDedupKey } from '../../core/eventIdentity.js';
import { err, ok, type Result } from '../../core/result.js';
import type { MessageSource } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import type { ResourceMappingContext } from './fhirMappingContext.js';
import type { FhirMeta } from './fhirSchemas.js';

export type FhirResourceIdentity = {
  /** `<type>/<id>/_history/<versionId>`, or the entry's fullUrl for a resource without an id; also the events' `place`. */
  readonly resourceKey: string;
  readonly dedupKey: DedupKey;
  readonly source: MessageSource;
};

type IdentifiedResource = { readonly resourceType: string; readonly id?: string; readonly meta?: FhirMeta };

/** versionId is opaque; without one the resource is its first version. */
const versionOf = (resource: IdentifiedResource): string => resource.meta?.versionId ?? '1';

export function fhirResourceIdentity(
  resource: IdentifiedResource,
  context: ResourceMappingContext,
): Result<FhirResourceIdentity, Rejection> {
  const { resourceType, id } = resource;
  const messageId = id !== undefined ? `${resourceType}/${id}` : context.fullUrl;
  if (messageId === undefined) {
    return err({
      kind: 'required-field-missing',
      location: `${context.path}.id`,
      reason: `${context.path}.id is required: the id (or, in a Bundle, the entry's fullUrl) identifies the resource version for deduplication`,
    });
  }
  const versionId = versionOf(resource);
  return ok({
    resourceKey: fhirResourceKey(resource, messageId),
    dedupKey: id !== undefined ? fhirDedupKey({ resourceType, id, versionId }) : fhirDedupKey({ fullUrl: messageId }),
    source: {
      channel: 'FHIR',
      system: context.system,
      facility: null,
      messageType: resourceType,
      messageId,
      messageVersion: versionId,
      receiptId: context.receiptId,
    },
  });
}

/** `<type>/<id>/_history/<versionId>` (versionId defaults to 1), else `fallback` (the entry's fullUrl) for a resource without an id. */
export function fhirResourceKey(resource: IdentifiedResource, fallback: string): string {
  return resource.id === undefined
    ? fallback
    : `${resource.resourceType}/${resource.id}/_history/${versionOf(resource)}`;
}

/**
 * Whether this is a later version of its resource, for the stateless rules (amended, discharge
 * cancelled): meta.versionId is an integer of 2 or more. versionId is opaque in FHIR, so a
 * non-numeric one cannot be ordered and counts as a first version.
 */
export function isLaterVersion(meta: FhirMeta | undefined): boolean {
  const versionId = meta?.versionId;
  return versionId !== undefined && /^\d+$/.test(versionId) && Number(versionId) >= 2;
}
