/**
 * Why an inbound message is refused, in one vocabulary for every channel. Each kind is
 * answered through one table per protocol (HL7 ACK, FHIR OperationOutcome, problem+json);
 * adding a kind does not compile until every table says how to answer it. Pure.
 */

export const rejectionKinds = [
  /** The message cannot be read at all (HL7: no MSH, bad delimiters, missing MSH-9/10/12; JSON/FHIR: not JSON). */
  'unparseable',
  /** A message type, trigger or resource type this system does not take at all (HL7 SIU^S12). */
  'unsupported-message-type',
  /** An HL7 version outside 2.3–2.5.1. */
  'unsupported-version',
  /** The body fails the structural rules of its format (a wrong JSON type, a code outside a required FHIR value set, JSON schema). */
  'invalid-structure',
  /**
   * An element its format requires is absent (FHIR base R4 1..1 such as MedicationRequest.subject,
   * a Bundle entry's request). A format error (FHIR: 400, issue `required`), unlike
   * `required-field-missing`, which the format allows but the mapping needs.
   */
  'cardinality-violated',
  /** A segment the mapping needs is absent (HL7 PID). */
  'segment-missing',
  /** A field the mapping needs is empty (PV1-45 on an A03, Condition.code). */
  'required-field-missing',
  /**
   * A value is present but malformed (a timestamp that is not one, a dose that is not a number),
   * or outside the value domain (core/valueDomain.ts: a control character, a lone surrogate, a
   * too-long text or identifier, an instant outside 1900-2100). HL7 AE 102, HTTP 400.
   */
  'invalid-value',
  /** The NHS number fails its check (or is a placeholder). */
  'invalid-nhs-number',
  /** A code system other than SNOMED CT, ICD-10 or dm+d. */
  'unknown-code-system',
  /** An amendment or retraction that cannot be tied to a diagnosis or order (DG1-21 U/D without DG1-20). */
  'unresolvable-correction',
  /** An order control (ORC-1) or status this system does not map. */
  'unsupported-order-control',
  /** The patient's identifiers contradict what the cross-reference already holds. */
  'identity-conflict',
  /**
   * A source identity accepted before (HL7 sending application/facility + MSH-10, a FHIR resource
   * version, an Idempotency-Key) sent again with other content: not a resend, and not taken.
   */
  'reused-identifier',
] as const;

export type RejectionKind = (typeof rejectionKinds)[number];

export type Rejection = {
  readonly kind: RejectionKind;
  /** Where: an HL7 position (PID-3, DG1-3), a FHIRPath (Condition.code), or a JSON pointer (/occurredAt). */
  readonly location: string;
  /** What is wrong, for the sender's developers; never patient data or payload text. */
  readonly reason: string;
};

/** A sender's code quoted in a `reason`, cut to 32 characters: reasons name codes, never carry payloads. */
export function quoteInReason(value: string): string {
  return value.length > 32 ? `${value.slice(0, 32)}...` : value;
}
