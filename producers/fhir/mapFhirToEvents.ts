/**
 * FHIR R4 requests to canonical event drafts: a standalone resource, or the entries of a
 * transaction, batch or subscription-notification (history) Bundle. One resource version
 * yields at most one fact. Pure.
 */
import { fhirPathOf, jsonTextLeaves, locateText } from '../../core/locateText.js';
import { assertNever, err, ok, type Result } from '../../core/result.js';
import { findValueViolation, type MappedFacts, rejectValueViolation } from '../eventDraft.js';
import { quoteInReason, type Rejection } from '../rejection.js';
import { type FhirMappingContext, type ResourceMappingContext, standaloneContext } from './fhirMappingContext.js';
import { fhirResourceKey } from './fhirResourceIdentity.js';
import type {
  FhirBundle,
  FhirBundleEntry,
  FhirBundleType,
  FhirEntryResource,
  FhirMappableResource,
} from './fhirSchemas.js';
import { mapCondition } from './mapCondition.js';
import { mapEncounter } from './mapEncounter.js';
import { mapMedicationRequest } from './mapMedicationRequest.js';
import {
  type FhirNotificationStatus,
  validateFhirResource,
  validateNotificationStatus,
} from './validateFhirRequest.js';

/** What one resource gives: facts to publish, or undefined when it is accepted with no event. */
export type FhirResourceResult = Result<MappedFacts | undefined, Rejection>;

export type FhirBundleEntryMapping = {
  /** The entry's position in `Bundle.entry`. */
  readonly index: number;
  readonly fullUrl: string | undefined;
  /** `<type>/<id>/_history/<versionId>`, else the fullUrl, else the request url. */
  readonly resourceKey: string;
  readonly result: FhirResourceResult;
};

export type FhirBundleMapping = {
  readonly type: FhirBundleType;
  /** The entries that carry content, in entry order; a notification's SubscriptionStatus (entry 0) is not one. */
  readonly entries: readonly FhirBundleEntryMapping[];
};

/** Notification types whose entries carry resources; handshake, heartbeat and query-status carry no clinical content. */
const NOTIFICATION_TYPES_WITH_CONTENT: ReadonlySet<string> = new Set(['event-notification', 'query-event']);
const NOTIFICATION_TYPES: ReadonlySet<string> = new Set([
  ...NOTIFICATION_TYPES_WITH_CONTENT,
  'handshake',
  'heartbeat',
  'query-status',
]);

export function mapFhirResource(resource: FhirMappableResource, context: FhirMappingContext): FhirResourceResult {
  return mapResourceAt(resource, standaloneContext(resource.resourceType, context));
}

/**
 * The entries of a Bundle, each mapped like a standalone resource, with rejection locations
 * under `Bundle.entry[i].resource`, and references to another entry's fullUrl resolved to its id.
 * - transaction: all or nothing, so the first failing entry rejects the whole Bundle;
 * - batch: each entry on its own; a failing entry is an error result in its place;
 * - history (a subscription notification): entry 0 is the SubscriptionStatus and yields
 *   nothing; a handshake or heartbeat yields nothing at all; the other entries map on their own,
 *   like a batch. A DELETE entry carries no resource, so neither a patient nor a fact to
 *   retract: it is refused in its place (and so kept as a rejected input), never dropped.
 * Transaction and batch entries must be POST or PUT: this system keeps events, not a store to
 * delete from, patch or read.
 */
export function mapFhirBundle(
  bundle: FhirBundle,
  context: Omit<FhirMappingContext, 'fullUrl'>,
): Result<FhirBundleMapping, Rejection> {
  const all = bundle.entry ?? [];
  const idsByFullUrl = new Map(
    all.flatMap((entry) =>
      entry.fullUrl !== undefined && typeof entry.resource?.id === 'string' ? [[entry.fullUrl, entry.resource.id]] : [],
    ),
  );
  const mapEntry = (entry: FhirBundleEntry, index: number): FhirBundleEntryMapping => ({
    index,
    fullUrl: entry.fullUrl,
    resourceKey: entryKeyOf(entry),
    result: mapEntryAt(entry, `Bundle.entry[${index}]`, bundle.type, {
      ...context,
      fullUrl: entry.fullUrl,
      path: `Bundle.entry[${index}].resource`,
      resolveFullUrl: (fullUrl) => idsByFullUrl.get(fullUrl),
    }),
  });

  switch (bundle.type) {
    case 'transaction': {
      const entries = all.map((entry, index) => mapEntry(entry, index));
      const failed = entries.find((entry) => !entry.result.ok)?.result;
      if (failed !== undefined && !failed.ok) return failed;
      return ok({ type: bundle.type, entries });
    }
    case 'batch':
      return ok({ type: bundle.type, entries: all.map((entry, index) => mapEntry(entry, index)) });
    case 'history': {
      const status = notificationTypeOf(all[0]);
      if (!status.ok) return status;
      if (!NOTIFICATION_TYPES_WITH_CONTENT.has(status.value)) return ok({ type: bundle.type, entries: [] });
      return ok({ type: bundle.type, entries: all.slice(1).map((entry, i) => mapEntry(entry, i + 1)) });
    }
    default:
      return assertNever(bundle.type, 'Bundle.type');
  }
}

function mapResourceAt(resource: FhirMappableResource, context: ResourceMappingContext): FhirResourceResult {
  const mapped = mapResourceByType(resource, context);
  return mapped.ok && mapped.value !== undefined ? inValueDomain(mapped.value, resource, context.path) : mapped;
}

/**
 * Every value the mapping put on the facts, checked against the value domain before anything is
 * published; a violation is an `invalid-value` at the element it came from (or the resource id,
 * for the message's identity), so a batch refuses that entry alone.
 */
function inValueDomain(facts: MappedFacts, resource: FhirMappableResource, path: string): FhirResourceResult {
  const found = findValueViolation(facts);
  if (found === undefined) return ok(facts);
  const steps = locateText(jsonTextLeaves(resource), found);
  return err(rejectValueViolation(found.violation, steps === undefined ? `${path}.id` : fhirPathOf(path, steps)));
}

function mapResourceByType(resource: FhirMappableResource, context: ResourceMappingContext): FhirResourceResult {
  switch (resource.resourceType) {
    case 'Encounter':
      return mapEncounter(resource, context);
    case 'Condition':
      return mapCondition(resource, context);
    case 'MedicationRequest':
      return mapMedicationRequest(resource, context);
    default:
      return assertNever(resource, 'resourceType');
  }
}

function mapEntryAt(
  entry: FhirBundleEntry,
  path: string,
  bundleType: FhirBundleType,
  context: ResourceMappingContext,
): FhirResourceResult {
  const { method } = entry.request;
  if (bundleType !== 'history' && method !== 'POST' && method !== 'PUT') {
    return err({
      kind: 'unsupported-message-type',
      location: `${path}.request.method`,
      reason: `${path}.request.method ${method} is not taken; transaction and batch entries must be POST or PUT`,
    });
  }
  if (entry.resource === undefined) {
    if (method === 'DELETE') {
      return err({
        kind: 'unsupported-message-type',
        location: `${path}.request`,
        reason: `${path} deletes ${quoteInReason(entry.request.url)}: a deletion carries no resource, so no patient or fact to retract; correct it with an update instead (Condition.verificationStatus entered-in-error, MedicationRequest.status cancelled or stopped)`,
      });
    }
    if (bundleType === 'history') {
      return err({
        kind: 'unsupported-message-type',
        location: `${path}.resource`,
        reason: `${path} has no resource: id-only and empty notifications are not taken; subscribe with full-resource content`,
      });
    }
    return err({
      kind: 'cardinality-violated',
      location: `${path}.resource`,
      reason: `${path}.resource is required in a ${method} entry`,
    });
  }
  const resource = validateFhirResource(entry.resource, context.path);
  if (!resource.ok) return resource;
  return mapResourceAt(resource.value, context);
}

/** The notification type its SubscriptionStatus states (R4 `Parameters` parameter `type`, R4B `type`). */
function notificationTypeOf(first: FhirBundleEntry | undefined): Result<string, Rejection> {
  const path = 'Bundle.entry[0].resource';
  if (first?.resource === undefined) {
    return err({
      kind: 'cardinality-violated',
      location: path,
      reason: `${path} is required: a notification's first entry is its SubscriptionStatus`,
    });
  }
  const status = validateNotificationStatus(first.resource, path);
  if (!status.ok) return status;
  const { location, type } = statedType(status.value, path);
  if (type === undefined) {
    return err({ kind: 'cardinality-violated', location, reason: `${location} is required: the notification type` });
  }
  if (!NOTIFICATION_TYPES.has(type)) {
    return err({
      kind: 'invalid-value',
      location,
      reason: `${location} must be one of: ${[...NOTIFICATION_TYPES].join(', ')}`,
    });
  }
  return ok(type);
}

function statedType(status: FhirNotificationStatus, path: string): { location: string; type: string | undefined } {
  if (status.resourceType === 'SubscriptionStatus') return { location: `${path}.type`, type: status.type };
  const parameters = status.parameter ?? [];
  const index = parameters.findIndex((parameter) => parameter.name === 'type');
  const location = index < 0 ? `${path}.parameter` : `${path}.parameter[${index}].valueCode`;
  return { location, type: parameters[index]?.valueCode };
}

function entryKeyOf(entry: FhirBundleEntry): string {
  const fallback = entry.fullUrl ?? entry.request.url;
  const resource: FhirEntryResource | undefined = entry.resource;
  if (resource === undefined || typeof resource.id !== 'string') return fallback;
  const meta = resource.meta;
  const versionId =
    typeof meta === 'object' && meta !== null && 'versionId' in meta && typeof meta.versionId === 'string'
      ? meta.versionId
      : undefined;
  return fhirResourceKey(
    {
      resourceType: resource.resourceType,
      id: resource.id,
      ...(versionId === undefined ? {} : { meta: { versionId } }),
    },
    fallback,
  );
}
