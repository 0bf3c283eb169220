/**
 * The FHIR code systems each kind of fact accepts, and the choice of the one coding an event
 * carries out of a CodeableConcept (which may hold SNOMED CT, ICD-10 and local codings
 * together). Codes are kept exactly as sent, never translated. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { CodeSystem, Coding } from '../../schemas/generated/events.js';
import type { Rejection } from '../rejection.js';
import type { FhirCodeableConcept } from './fhirSchemas.js';

type CodeSystemTable = Readonly<Record<string, CodeSystem>>;

/** Diagnoses: one tier, so the first coding in either terminology wins (ICD-10 in both its URIs). */
export const diagnosisCodeSystems = [
  {
    'http://snomed.info/sct': 'SNOMED_CT',
    'http://hl7.org/fhir/sid/icd-10': 'ICD_10',
    'http://hl7.org/fhir/sid/icd-10-uk': 'ICD_10',
  },
] as const satisfies readonly CodeSystemTable[];

/**
 * Medicines: a dm+d coding first; else the same dm+d ids sent under SNOMED CT (dm+d ids are
 * SNOMED CT concept ids), recorded with the system as received.
 */
export const medicationCodeSystems = [
  { 'https://dmd.nhs.uk': 'DMD' },
  { 'http://snomed.info/sct': 'SNOMED_CT' },
] as const satisfies readonly CodeSystemTable[];

export type PickedCoding = { readonly code: string; readonly codeSystem: CodeSystem; readonly display: string | null };

const systemIn = (table: CodeSystemTable, system: string | undefined): CodeSystem | undefined =>
  system !== undefined && Object.hasOwn(table, system) ? table[system] : undefined;

/**
 * The first coding, tier by tier, whose system is accepted and which has a code; undefined when
 * `concept` is absent (whether that is allowed is the caller's rule). A concept with no coding
 * (text only) is `required-field-missing`; codings only in other systems are `unknown-code-system`.
 */
export function pickCoding(
  concept: FhirCodeableConcept | undefined,
  tiers: readonly CodeSystemTable[],
  location: string,
): Result<PickedCoding | undefined, Rejection> {
  if (concept === undefined) return ok(undefined);
  const codings = concept.coding ?? [];
  if (codings.length === 0) {
    return err({
      kind: 'required-field-missing',
      location: `${location}.coding`,
      reason: `${location} has no coding; text alone cannot be recorded as a code`,
    });
  }
  for (const tier of tiers) {
    for (const coding of codings) {
      const codeSystem = systemIn(tier, coding.system);
      if (codeSystem !== undefined && coding.code !== undefined && coding.code !== '') {
        return ok({ code: coding.code, codeSystem, display: coding.display ?? null });
      }
    }
  }
  const codeless = codings.findIndex((coding) => tiers.some((tier) => systemIn(tier, coding.system) !== undefined));
  if (codeless >= 0) {
    return err({
      kind: 'required-field-missing',
      location: `${location}.coding[${codeless}].code`,
      reason: `${location}.coding[${codeless}] names an accepted system but has no code`,
    });
  }
  const accepted = tiers.flatMap((tier) => Object.keys(tier)).join(', ');
  return err({
    kind: 'unknown-code-system',
    location: `${location}.coding`,
    reason: `${location} has no coding in an accepted code system (${accepted})`,
  });
}

/** Every coding that has both a system and a code, in the order sent. */
export function codingsOf(concept: FhirCodeableConcept | undefined): readonly Coding[] {
  return (concept?.coding ?? []).flatMap(({ system, code, display }) =>
    system !== undefined && code !== undefined ? [{ system, code, display: display ?? null }] : [],
  );
}
