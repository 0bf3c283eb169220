/**
 * What a FHIR resource mapper is given besides the resource: where the resource came from, where
 * it sits in the request (for rejection locations) and how references resolve inside a Bundle.
 * Also reads a reference's target id. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { Rejection } from '../rejection.js';
import type { FhirReference } from './fhirSchemas.js';

export type FhirMappingContext = {
  /** The Bundle entry's fullUrl, when the resource came in one; it identifies a resource without an id. */
  readonly fullUrl?: string | undefined;
  /** The raw receipt holding the request exactly as received. */
  readonly receiptId: string | null;
  /** The sending system, as the HTTP layer knows it (client or server name). */
  readonly system: string;
};

export type ResourceMappingContext = FhirMappingContext & {
  /** Where the resource sits, as the root of every rejection location: `Condition`, `Bundle.entry[2].resource`. */
  readonly path: string;
  /** The id of the resource another entry of the same Bundle holds under this fullUrl, if any. */
  readonly resolveFullUrl: (fullUrl: string) => string | undefined;
};

/** A standalone resource: its root is its type, and references resolve to nothing but themselves. */
export function standaloneContext(resourceType: string, context: FhirMappingContext): ResourceMappingContext {
  return { ...context, path: resourceType, resolveFullUrl: () => undefined };
}

/** An element this system's mapping needs although FHIR lets it be absent: a business rule (422). */
export function requiredElement(location: string, why: string): Rejection {
  return { kind: 'required-field-missing', location, reason: `${location} is required: ${why}` };
}

/**
 * The id a reference points at, for a single target type: `Encounter/vw-enc-4471`, an absolute
 * `…/Encounter/vw-enc-4471[/_history/2]`, or the fullUrl of an entry in the same Bundle
 * (`urn:uuid:…`). Null when there is no reference; a reference that names no such resource is
 * an `invalid-value` at `location`.
 */
export function referencedId(
  reference: FhirReference | undefined,
  targetType: string,
  location: string,
  context: ResourceMappingContext,
): Result<string | null, Rejection> {
  const literal = reference?.reference;
  if (literal === undefined) return ok(null);
  const inBundle = context.resolveFullUrl(literal);
  if (inBundle !== undefined) return ok(inBundle);
  const match = /(?:^|\/)([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(literal);
  if (match !== null && match[1] === targetType && match[2] !== undefined && !literal.startsWith('urn:')) {
    return ok(match[2]);
  }
  return err({
    kind: 'invalid-value',
    location,
    reason: `${location} must reference a ${targetType} by [type]/[id], an absolute URL or the fullUrl of an entry in the same Bundle`,
  });
}
