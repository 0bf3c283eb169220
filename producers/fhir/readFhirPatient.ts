/**
 * The patient of a FHIR resource, from `subject.identifier`: the NHS number (checked with
 * modulus 11) or a local patient identifier with its assigning authority. Pure.
 */
import { describeNhsNumberError, parseNhsNumber } from '../../core/nhsNumber.js';
import { err, ok, type Result } from '../../core/result.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { requiredElement } from './fhirMappingContext.js';
import type { FhirReference } from './fhirSchemas.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const LOCAL_PATIENT_IDENTIFIER_SYSTEM = 'https://fhir.nhs.uk/Id/local-patient-identifier';
export const NHS_NUMBER_VERIFICATION_STATUS_EXTENSION =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';

/**
 * Reads `<path>.subject.identifier`. An invalid NHS number rejects the resource. A local
 * identifier gives `nhsNumber` undefined, and the caller resolves or parks it: its authority is
 * the assigner's ODS code, else (for a trust-owned system URI) the system itself; the NHS
 * England local-patient-identifier system means nothing without its assigner. A subject given
 * only as a reference (`Patient/123`) is refused: Patient resources are not resolved here.
 */
export function readFhirPatient(
  subject: FhirReference | undefined,
  path: string,
): Result<PatientIdentifiers, Rejection> {
  if (subject === undefined) return err(requiredElement(`${path}.subject`, 'the event needs the patient'));
  const identifier = subject.identifier;
  if (identifier === undefined) {
    return err(
      requiredElement(
        `${path}.subject.identifier`,
        'the patient is taken from a logical reference (an NHS number or local patient identifier); Patient references are not resolved',
      ),
    );
  }
  const { system, value } = identifier;
  if (system === undefined)
    return err(requiredElement(`${path}.subject.identifier.system`, 'it says what the value is'));
  if (value === undefined || value.trim() === '') {
    return err(requiredElement(`${path}.subject.identifier.value`, 'it identifies the patient'));
  }
  if (system === NHS_NUMBER_SYSTEM) {
    const nhsNumber = parseNhsNumber(value);
    if (!nhsNumber.ok) {
      const location = `${path}.subject.identifier.value`;
      return err({ kind: 'invalid-nhs-number', location, reason: describeNhsNumberError(nhsNumber.error) });
    }
    const verification = identifier.extension?.find((e) => e.url === NHS_NUMBER_VERIFICATION_STATUS_EXTENSION);
    return ok({
      nhsNumber: nhsNumber.value,
      nhsNumberVerificationStatus: verification?.valueCodeableConcept?.coding?.[0]?.code ?? null,
      localIdentifiers: [],
    });
  }
  const assigner = identifier.assigner?.identifier?.value;
  if (assigner === undefined && system === LOCAL_PATIENT_IDENTIFIER_SYSTEM) {
    return err(
      requiredElement(
        `${path}.subject.identifier.assigner`,
        'a local patient identifier is unique only within its assigner',
      ),
    );
  }
  return ok({
    nhsNumber: undefined,
    nhsNumberVerificationStatus: null,
    localIdentifiers: [
      {
        authority: assigner ?? system,
        value: value.trim(),
        identifierType: identifier.type?.coding?.[0]?.code ?? null,
      },
    ],
  });
}
