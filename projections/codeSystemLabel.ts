/**
 * The spelling of a code system in view rows and API answers: the samples' neutral form
 * (`SNOMED-CT`, `ICD-10`, `dm+d`), not the Avro enum symbol. Pure.
 */
import type { CodeSystem } from '../schemas/generated/events.js';

const labels = {
  SNOMED_CT: 'SNOMED-CT',
  ICD_10: 'ICD-10',
  DMD: 'dm+d',
  UNKNOWN: 'unknown',
} as const satisfies Record<CodeSystem, string>;

export type CodeSystemLabel = (typeof labels)[CodeSystem];

export function codeSystemLabel(system: CodeSystem): CodeSystemLabel {
  return labels[system];
}
