import { describe, expect, test } from 'vitest';
import { expectedOutcomes } from '../../test/support/samples.js';
import { rejectionKinds } from '../rejection.js';
import { fhirAnswerFor, informationOutcome, toOperationOutcome } from './toOperationOutcome.js';

describe('fhirAnswerFor', () => {
  test('every rejection kind has an answer with a distinct CEL code', () => {
    const codes = rejectionKinds.map((kind) => fhirAnswerFor[kind].celCode);
    expect(new Set(codes).size).toBe(rejectionKinds.length);
    expect(codes.every((code) => /^CEL_ERR_[A-Z_]+$/.test(code))).toBe(true);
  });

  test('the FHIR rules of the samples: 400 for base R4, 422 for business rules', () => {
    expect(
      Object.fromEntries(
        (
          [
            'unparseable',
            'unsupported-message-type',
            'cardinality-violated',
            'invalid-nhs-number',
            'required-field-missing',
            'unknown-code-system',
          ] as const
        ).map((kind) => [kind, [fhirAnswerFor[kind].httpStatus, fhirAnswerFor[kind].issueCode]]),
      ),
    ).toEqual({
      unparseable: [400, 'structure'],
      'unsupported-message-type': [400, 'not-supported'],
      'cardinality-violated': [400, 'required'],
      'invalid-nhs-number': [422, 'value'],
      'required-field-missing': [422, 'required'],
      'unknown-code-system': [422, 'code-invalid'],
    });
  });

  test('each rejected FHIR sample names a status and issue code the table can give', () => {
    const answers = new Set(Object.values(fhirAnswerFor).map((a) => `${a.httpStatus} ${a.issueCode}`));
    for (const sample of expectedOutcomes('fhir').filter((s) => s.outcome === 'rejected')) {
      expect(answers).toContain(`${sample.httpStatus} ${sample.error?.fhirIssueCode}`);
    }
  });
});

describe('toOperationOutcome', () => {
  test('an error issue with the code, the CEL code and reason, the correlation id and the FHIRPath', () => {
    const outcome = toOperationOutcome(
      {
        kind: 'invalid-nhs-number',
        location: 'Condition.subject.identifier.value',
        reason: 'NHS number fails the modulus 11 check',
      },
      'corr-42',
    );
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'value',
          details: { text: 'CEL_ERR_INVALID_NHS_NUMBER: NHS number fails the modulus 11 check' },
          diagnostics: 'correlation id corr-42',
          expression: ['Condition.subject.identifier.value'],
        },
      ],
    });
  });

  test('a rejection without a location has no expression', () => {
    const outcome = toOperationOutcome(
      { kind: 'unparseable', location: '', reason: 'the body is not valid JSON' },
      'c',
    );
    expect(outcome.issue[0]).not.toHaveProperty('expression');
  });
});

test('informationOutcome is one information issue', () => {
  expect(informationOutcome('already processed')).toEqual({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: 'already processed' }],
  });
});
