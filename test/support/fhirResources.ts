/**
 * FHIR test resources: a sample body as parsed JSON, to vary with spreads, and the same body
 * checked by the validator, typed, for mapper tests.
 */
import type {
  FhirBundle,
  FhirCondition,
  FhirEncounter,
  FhirMedicationRequest,
} from '../../producers/fhir/fhirSchemas.js';
import {
  type AcceptedFhirBody,
  type FhirEndpoint,
  validateFhirRequest,
} from '../../producers/fhir/validateFhirRequest.js';
import { sampleBytes } from './samples.js';

export type Json = { readonly [key: string]: unknown };

/** A sample's JSON body, e.g. `fhirJson('fhir/condition_confirmed.json')`. */
export function fhirJson(input: string): Json {
  return JSON.parse(new TextDecoder().decode(sampleBytes(input))) as Json;
}

function accepted(endpoint: FhirEndpoint, body: unknown): AcceptedFhirBody {
  const result = validateFhirRequest(endpoint, body);
  if (!result.ok) throw new Error(`test body is not valid at ${result.error.location}: ${result.error.reason}`);
  return result.value;
}

export function anEncounter(body: Json): FhirEncounter {
  const resource = accepted('Encounter', body);
  if (resource.resourceType !== 'Encounter') throw new Error('not an Encounter');
  return resource;
}

export function aCondition(body: Json): FhirCondition {
  const resource = accepted('Condition', body);
  if (resource.resourceType !== 'Condition') throw new Error('not a Condition');
  return resource;
}

export function aMedicationRequest(body: Json): FhirMedicationRequest {
  const resource = accepted('MedicationRequest', body);
  if (resource.resourceType !== 'MedicationRequest') throw new Error('not a MedicationRequest');
  return resource;
}

export function aBundle(body: Json, endpoint: 'Bundle' | 'notification' = 'Bundle'): FhirBundle {
  const resource = accepted(endpoint, body);
  if (resource.resourceType !== 'Bundle') throw new Error('not a Bundle');
  return resource;
}
