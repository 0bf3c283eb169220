import { describe, expect, test } from 'vitest';
import type { FhirReference } from './fhirSchemas.js';
import {
  LOCAL_PATIENT_IDENTIFIER_SYSTEM,
  NHS_NUMBER_SYSTEM,
  NHS_NUMBER_VERIFICATION_STATUS_EXTENSION,
  readFhirPatient,
} from './readFhirPatient.js';

const read = (subject: FhirReference | undefined) => readFhirPatient(subject, 'Condition');
const failure = (subject: FhirReference | undefined) => {
  const result = read(subject);
  return result.ok ? undefined : { kind: result.error.kind, location: result.error.location };
};

describe('readFhirPatient', () => {
  test('a logical NHS-number reference gives the checked NHS number', () => {
    expect(read({ identifier: { system: NHS_NUMBER_SYSTEM, value: '9991000216' } })).toEqual({
      ok: true,
      value: { nhsNumber: '9991000216', nhsNumberVerificationStatus: null, localIdentifiers: [] },
    });
  });

  test('the UK Core verification-status extension is kept', () => {
    const subject: FhirReference = {
      identifier: {
        system: NHS_NUMBER_SYSTEM,
        value: '9991000216',
        extension: [
          { url: NHS_NUMBER_VERIFICATION_STATUS_EXTENSION, valueCodeableConcept: { coding: [{ code: '01' }] } },
        ],
      },
    };
    expect(read(subject).ok && read(subject)).toMatchObject({ value: { nhsNumberVerificationStatus: '01' } });
  });

  test.each([
    { name: 'the check value is 10', value: '9996000010' },
    { name: 'a mistyped check digit', value: '9991000217' },
    { name: 'nine digits', value: '999100021' },
    { name: 'a placeholder', value: '0000000000' },
  ])('an invalid NHS number ($name) is rejected at the value, never dropped', ({ value }) => {
    expect(failure({ identifier: { system: NHS_NUMBER_SYSTEM, value } })).toEqual({
      kind: 'invalid-nhs-number',
      location: 'Condition.subject.identifier.value',
    });
  });

  test('the NHS England local identifier takes its assigner ODS code as authority; no NHS number', () => {
    const subject: FhirReference = {
      identifier: {
        system: LOCAL_PATIENT_IDENTIFIER_SYSTEM,
        value: ' H1000001 ',
        type: { coding: [{ code: 'MR' }] },
        assigner: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RXX' } },
      },
    };
    expect(read(subject)).toEqual({
      ok: true,
      value: {
        nhsNumber: undefined,
        nhsNumberVerificationStatus: null,
        localIdentifiers: [{ authority: 'RXX', value: 'H1000001', identifierType: 'MR' }],
      },
    });
  });

  test('a trust-owned system without an assigner is its own authority', () => {
    const result = read({ identifier: { system: 'https://fhir.rxx.example/Id/mrn', value: 'H1000001' } });
    expect(result.ok && result.value.localIdentifiers).toEqual([
      { authority: 'https://fhir.rxx.example/Id/mrn', value: 'H1000001', identifierType: null },
    ]);
  });

  test.each([
    { name: 'no subject', subject: undefined, location: 'Condition.subject' },
    {
      name: 'a Patient reference only',
      subject: { reference: 'Patient/123' },
      location: 'Condition.subject.identifier',
    },
    {
      name: 'no system',
      subject: { identifier: { value: '9991000216' } },
      location: 'Condition.subject.identifier.system',
    },
    {
      name: 'no value',
      subject: { identifier: { system: NHS_NUMBER_SYSTEM } },
      location: 'Condition.subject.identifier.value',
    },
    {
      name: 'a blank value',
      subject: { identifier: { system: NHS_NUMBER_SYSTEM, value: '  ' } },
      location: 'Condition.subject.identifier.value',
    },
    {
      name: 'a local-patient-identifier without its assigner',
      subject: { identifier: { system: LOCAL_PATIENT_IDENTIFIER_SYSTEM, value: 'H1000001' } },
      location: 'Condition.subject.identifier.assigner',
    },
  ])('$name is required-field-missing at $location', ({ subject, location }) => {
    expect(failure(subject)).toEqual({ kind: 'required-field-missing', location });
  });
});
