/**
 * The FHIR HTTP surface as one table: every route under /fhir, its method and what it takes.
 * fhirRoutes.ts registers exactly these routes, the CapabilityStatement (fhirCapability.ts)
 * is built from them, and a path here answered with another method is a 405 naming the
 * methods this table gives it. Pure.
 */
import { type FhirBundleType, type FhirMappableResourceType, mappableResourceTypes } from './fhirSchemas.js';
import { bundleTypesAt } from './validateFhirRequest.js';

export const FHIR_JSON = 'application/fhir+json';
/** The media types the ingest routes read (both parsed as FHIR JSON). */
export const FHIR_REQUEST_TYPES = [FHIR_JSON, 'application/json'] as const;
/** The root of the FHIR API: `[base]`. */
export const FHIR_BASE = '/fhir';

export type FhirRoute =
  /** `POST [base]/<type>`: the create interaction on one resource type. */
  | { readonly kind: 'create'; readonly method: 'POST'; readonly url: string; readonly type: FhirMappableResourceType }
  /** `POST [base]`: a Bundle of these types (system-level transaction / batch). */
  | {
      readonly kind: 'bundle';
      readonly method: 'POST';
      readonly url: string;
      readonly bundleTypes: readonly FhirBundleType[];
    }
  /** `POST [base]/notify`: subscription notifications (rest-hook), Bundles of these types. */
  | {
      readonly kind: 'notification';
      readonly method: 'POST';
      readonly url: string;
      readonly bundleTypes: readonly FhirBundleType[];
    }
  /** `GET [base]/metadata`: the CapabilityStatement. */
  | { readonly kind: 'capabilities'; readonly method: 'GET'; readonly url: string };

export const fhirRouteTable: readonly FhirRoute[] = [
  { kind: 'capabilities', method: 'GET', url: `${FHIR_BASE}/metadata` },
  ...mappableResourceTypes.map(
    (type): FhirRoute => ({ kind: 'create', method: 'POST', url: `${FHIR_BASE}/${type}`, type }),
  ),
  { kind: 'bundle', method: 'POST', url: FHIR_BASE, bundleTypes: bundleTypesAt.Bundle },
  { kind: 'notification', method: 'POST', url: `${FHIR_BASE}/notify`, bundleTypes: bundleTypesAt.notification },
];

/** Whether a request path (query included or not) is under the FHIR API. */
export const isFhirPath = (url: string): boolean => {
  const path = url.split('?')[0] ?? '';
  return path === FHIR_BASE || path.startsWith(`${FHIR_BASE}/`);
};

/** The methods the table serves at a path (`HEAD` with `GET`), or none when the path is not a FHIR route. */
export function methodsAt(url: string): readonly string[] {
  const path = url.split('?')[0] ?? '';
  const methods = fhirRouteTable.filter((route) => route.url === path).map((route) => route.method);
  return methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]));
}
