/**
 * How the FHIR API answers a rejection: one table from rejection kind to HTTP status and
 * OperationOutcome issue type, and the OperationOutcome itself. Pure.
 */
import type { Rejection, RejectionKind } from '../rejection.js';

/** The FHIR R4 IssueType codes this system answers with. */
export type FhirIssueType =
  | 'structure'
  | 'required'
  | 'value'
  | 'code-invalid'
  | 'not-supported'
  | 'business-rule'
  | 'invalid'
  | 'processing'
  | 'conflict'
  | 'informational';

export type FhirAnswer = {
  /**
   * 400: the request cannot be read or breaks base R4; 409: a resource version received before
   * with other content; 422: it is valid FHIR but breaks a business rule.
   */
  readonly httpStatus: 400 | 409 | 422;
  readonly issueCode: FhirIssueType;
  /** The application error code, in `issue.details`; stable, documented in producers/fhir/README.md. */
  readonly celCode: `CEL_ERR_${string}`;
};

export const fhirAnswerFor = {
  unparseable: { httpStatus: 400, issueCode: 'structure', celCode: 'CEL_ERR_UNPARSEABLE' },
  'unsupported-message-type': {
    httpStatus: 400,
    issueCode: 'not-supported',
    celCode: 'CEL_ERR_UNSUPPORTED_MESSAGE_TYPE',
  },
  'unsupported-version': { httpStatus: 400, issueCode: 'not-supported', celCode: 'CEL_ERR_UNSUPPORTED_VERSION' },
  'invalid-structure': { httpStatus: 400, issueCode: 'structure', celCode: 'CEL_ERR_INVALID_STRUCTURE' },
  'cardinality-violated': { httpStatus: 400, issueCode: 'required', celCode: 'CEL_ERR_CARDINALITY_VIOLATED' },
  'segment-missing': { httpStatus: 422, issueCode: 'required', celCode: 'CEL_ERR_SEGMENT_MISSING' },
  'required-field-missing': { httpStatus: 422, issueCode: 'required', celCode: 'CEL_ERR_REQUIRED_FIELD_MISSING' },
  // A dateTime without a zone, a status code outside its required binding: base R4 datatype rules.
  'invalid-value': { httpStatus: 400, issueCode: 'value', celCode: 'CEL_ERR_INVALID_VALUE' },
  'invalid-nhs-number': { httpStatus: 422, issueCode: 'value', celCode: 'CEL_ERR_INVALID_NHS_NUMBER' },
  'unknown-code-system': { httpStatus: 422, issueCode: 'code-invalid', celCode: 'CEL_ERR_UNKNOWN_CODE_SYSTEM' },
  'unresolvable-correction': {
    httpStatus: 422,
    issueCode: 'business-rule',
    celCode: 'CEL_ERR_UNRESOLVABLE_CORRECTION',
  },
  'unsupported-order-control': {
    httpStatus: 422,
    issueCode: 'not-supported',
    celCode: 'CEL_ERR_UNSUPPORTED_ORDER_CONTROL',
  },
  'identity-conflict': { httpStatus: 422, issueCode: 'conflict', celCode: 'CEL_ERR_IDENTITY_CONFLICT' },
  'reused-identifier': { httpStatus: 409, issueCode: 'conflict', celCode: 'CEL_ERR_REUSED_IDENTIFIER' },
} as const satisfies Record<RejectionKind, FhirAnswer>;

export type OperationOutcomeIssue = {
  readonly severity: 'error' | 'information';
  readonly code: FhirIssueType;
  readonly details?: { readonly text: string };
  readonly diagnostics?: string;
  readonly expression?: readonly string[];
};

export type OperationOutcome = {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly OperationOutcomeIssue[];
};

/** The OperationOutcome for a rejection; `expression` is left out when the rejection has no location (unparseable JSON). */
export function toOperationOutcome(rejection: Rejection, correlationId: string): OperationOutcome {
  const answer = fhirAnswerFor[rejection.kind];
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: answer.issueCode,
        details: { text: `${answer.celCode}: ${rejection.reason}` },
        diagnostics: `correlation id ${correlationId}`,
        ...(rejection.location === '' ? {} : { expression: [rejection.location] }),
      },
    ],
  };
}

/** A success that needs a word, such as a duplicate: "already processed". */
export function informationOutcome(text: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
  };
}
