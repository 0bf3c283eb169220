/**
 * Checks a parsed FHIR request body against the endpoint it was sent to and the R4 schema of
 * its type, and says where it fails as a FHIRPath (`MedicationRequest.subject`,
 * `Bundle.entry[2].resource.status`). Pure.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { err, ok, type Result } from '../../core/result.js';
import type { Rejection } from '../rejection.js';
import {
  bundleSchema,
  conditionSchema,
  datatypesSchema,
  encounterSchema,
  type FhirBundle,
  type FhirBundleType,
  type FhirCondition,
  type FhirEncounter,
  type FhirEntryResource,
  type FhirMappableResource,
  type FhirMappableResourceType,
  type FhirMedicationRequest,
  type FhirSubscriptionStatus,
  type FhirSubscriptionStatusParameters,
  medicationRequestSchema,
  subscriptionStatusParametersSchema,
  subscriptionStatusSchema,
} from './fhirSchemas.js';

/** `[base]/<type>` for one resource, `[base]` for a transaction or batch Bundle, `[notify]` for a subscription notification. */
export type FhirEndpoint = FhirMappableResourceType | 'Bundle' | 'notification';

export type AcceptedFhirBody = FhirMappableResource | FhirBundle;

/** The subscription status a notification carries in entry 0: R4 backport `Parameters` or R4B `SubscriptionStatus`. */
export type FhirNotificationStatus = FhirSubscriptionStatusParameters | FhirSubscriptionStatus;

const ajv = new Ajv({ schemas: [datatypesSchema] });

const resourceValidators: { readonly [T in FhirMappableResourceType]: ValidateFunction<FhirMappableResource> } = {
  Encounter: ajv.compile<FhirEncounter>(encounterSchema),
  Condition: ajv.compile<FhirCondition>(conditionSchema),
  MedicationRequest: ajv.compile<FhirMedicationRequest>(medicationRequestSchema),
};
const validateBundle = ajv.compile<FhirBundle>(bundleSchema);
const statusValidators: Readonly<Record<string, ValidateFunction<FhirNotificationStatus>>> = {
  Parameters: ajv.compile<FhirSubscriptionStatusParameters>(subscriptionStatusParametersSchema),
  SubscriptionStatus: ajv.compile<FhirSubscriptionStatus>(subscriptionStatusSchema),
};

/** The Bundle types each Bundle endpoint takes. */
export const bundleTypesAt = {
  Bundle: ['transaction', 'batch'],
  notification: ['history'],
} as const satisfies Record<'Bundle' | 'notification', readonly FhirBundleType[]>;

/** Echo a resource type or code in a reason only when it looks like one, never arbitrary payload text. */
const quoted = (value: string): string => (/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(value) ? value : '(not a FHIR name)');

const isJsonObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isMappableType = (type: string): type is FhirMappableResourceType => Object.hasOwn(resourceValidators, type);

export function validateFhirRequest(endpoint: FhirEndpoint, body: unknown): Result<AcceptedFhirBody, Rejection> {
  const expectedType = endpoint === 'notification' ? 'Bundle' : endpoint;
  if (!isJsonObject(body)) {
    return err({
      kind: 'invalid-structure',
      location: expectedType,
      reason: 'the body must be a JSON object holding one FHIR resource',
    });
  }
  const { resourceType } = body;
  if (resourceType === undefined) {
    return err({ kind: 'cardinality-violated', location: 'resourceType', reason: 'resourceType is required' });
  }
  if (typeof resourceType !== 'string') {
    return err({ kind: 'invalid-structure', location: 'resourceType', reason: 'resourceType must be a string' });
  }
  if (resourceType !== expectedType) {
    return err({
      kind: 'unsupported-message-type',
      location: 'resourceType',
      reason: `resourceType ${quoted(resourceType)} does not match the endpoint (${endpoint})`,
    });
  }
  if (endpoint === 'Bundle' || endpoint === 'notification') {
    const accepted: readonly string[] = bundleTypesAt[endpoint];
    if (typeof body.type === 'string' && !accepted.includes(body.type)) {
      return err({
        kind: 'unsupported-message-type',
        location: 'Bundle.type',
        reason: `Bundle.type ${quoted(body.type)} is not taken here; this endpoint takes ${accepted.join(' or ')}`,
      });
    }
    return validateBundle(body) ? ok(body) : err(rejectionFor(validateBundle.errors, 'Bundle'));
  }
  const validate = resourceValidators[endpoint];
  return validate(body) ? ok(body) : err(rejectionFor(validate.errors, endpoint));
}

/**
 * Checks one Bundle entry's resource against the schema of its own type; `path` is where the
 * resource sits (`Bundle.entry[2].resource`). A type this system does not map is refused.
 */
export function validateFhirResource(
  resource: FhirEntryResource,
  path: string,
): Result<FhirMappableResource, Rejection> {
  const type = resource.resourceType;
  if (!isMappableType(type)) {
    return err({
      kind: 'unsupported-message-type',
      location: `${path}.resourceType`,
      reason: `resourceType ${quoted(type)} is not mapped; this system takes Encounter, Condition and MedicationRequest`,
    });
  }
  const validate = resourceValidators[type];
  return validate(resource) ? ok(resource) : err(rejectionFor(validate.errors, path));
}

/** Checks entry 0 of a subscription notification: the SubscriptionStatus, as R4 `Parameters` or R4B `SubscriptionStatus`. */
export function validateNotificationStatus(
  resource: FhirEntryResource,
  path: string,
): Result<FhirNotificationStatus, Rejection> {
  const validate = Object.hasOwn(statusValidators, resource.resourceType)
    ? statusValidators[resource.resourceType]
    : undefined;
  if (validate === undefined) {
    return err({
      kind: 'invalid-structure',
      location: `${path}.resourceType`,
      reason:
        'entry 0 of a subscription notification must be its SubscriptionStatus (Parameters or SubscriptionStatus)',
    });
  }
  return validate(resource) ? ok(resource) : err(rejectionFor(validate.errors, path));
}

/** The answer for a body that is not JSON at all; the parser's message is never echoed, since it quotes the payload. */
export function rejectionForUnparseableJson(): Rejection {
  return { kind: 'unparseable', location: '', reason: 'the body is not valid JSON' };
}

/** `/entry/2/resource/subject` under `Bundle` becomes `Bundle.entry[2].resource.subject`. */
export function fhirPathOf(root: string, instancePath: string, child?: string): string {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/');
  const steps = [...segments, ...(child === undefined ? [] : [child])].map((raw) => {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  });
  return root + steps.join('');
}

/** ajv stops at the first error (allErrors is off), so there is exactly one to report. */
function rejectionFor(errors: readonly ErrorObject[] | null | undefined, root: string): Rejection {
  const [error] = errors ?? [];
  if (error === undefined) return { kind: 'invalid-structure', location: root, reason: `${root} is not valid` };
  const params: Readonly<Record<string, unknown>> = error.params;
  if (error.keyword === 'required') {
    const location = fhirPathOf(root, error.instancePath, String(params.missingProperty));
    return { kind: 'cardinality-violated', location, reason: `${location} is required (1..1 in base R4)` };
  }
  const location = fhirPathOf(root, error.instancePath);
  return { kind: 'invalid-structure', location, reason: `${location} ${describe(error.keyword, params)}` };
}

function describe(keyword: string, params: Readonly<Record<string, unknown>>): string {
  switch (keyword) {
    case 'type':
      return `must be a JSON ${String(params.type)}`;
    case 'enum':
      return `must be one of: ${Array.isArray(params.allowedValues) ? params.allowedValues.join(', ') : ''}`;
    case 'const':
      return `must be ${String(params.allowedValue)}`;
    case 'pattern':
      return `does not match ${String(params.pattern)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    default:
      return `fails the schema rule "${keyword}"`;
  }
}
