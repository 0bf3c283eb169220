/**
 * The patient identifiers of an HL7 v2 message, from the PID-3 repetitions: the NHS number
 * (CX.5 `NH`, checked with modulus 11) and the local identifiers with their assigning
 * authority. Pure.
 */
import { describeNhsNumberError, type NhsNumber, parseNhsNumber } from '../../core/nhsNumber.js';
import { err, ok, type Result } from '../../core/result.js';
import type { LocalIdentifier } from '../../schemas/generated/events.js';
import type { PatientIdentifiers } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { fieldOf, type Hl7Message } from './hl7Message.js';
import { locateFirst, textAt } from './locatedSegment.js';

/** HL7 table 0203: the identifier type UK senders use for the NHS number. */
const NHS_NUMBER_TYPE = 'NH';

/**
 * Identifier types that name a visit or an account, not the patient: carrying them as patient
 * identifiers would let a visit number resolve to a person.
 */
const NOT_PATIENT_IDENTIFIER_TYPES: ReadonlySet<string> = new Set(['VN', 'AN']);

/**
 * Reads PID-3. An invalid NHS number rejects the message (never dropped to fall back on the
 * MRN), and so do two different valid ones. An identifier without an assigning authority (CX.4)
 * is left out: it is unique only within its authority, so it cannot resolve anyone. A message
 * with only local identifiers is not rejected: `nhsNumber` is then undefined, and the caller
 * resolves or parks it.
 */
export function readPatientIdentifiers(message: Hl7Message): Result<PatientIdentifiers, Rejection> {
  const pid = locateFirst(message, 'PID');
  if (pid.segment === undefined) {
    return err({ kind: 'segment-missing', location: 'PID', reason: 'required segment PID is missing' });
  }
  const repetitions = fieldOf(pid.segment, 3)?.length ?? 0;
  const nhsNumbers = new Set<NhsNumber>();
  const localIdentifiers: LocalIdentifier[] = [];
  for (let repetition = 1; repetition <= repetitions; repetition += 1) {
    const value = textAt(pid, 3, 1, { repetition });
    if (value === null) continue;
    const identifierType = textAt(pid, 3, 5, { repetition });
    if (identifierType === NHS_NUMBER_TYPE) {
      const nhsNumber = parseNhsNumber(value);
      if (!nhsNumber.ok) {
        return err({
          kind: 'invalid-nhs-number',
          location: 'PID-3',
          reason: `PID-3 repetition ${repetition} (type NH): ${describeNhsNumberError(nhsNumber.error)}`,
        });
      }
      nhsNumbers.add(nhsNumber.value);
      continue;
    }
    const authority = textAt(pid, 3, 4, { repetition, subcomponent: 1 });
    if (authority === null || (identifierType !== null && NOT_PATIENT_IDENTIFIER_TYPES.has(identifierType))) continue;
    localIdentifiers.push({ authority, value, identifierType });
  }
  if (nhsNumbers.size > 1) {
    return err({
      kind: 'identity-conflict',
      location: 'PID-3',
      reason: 'PID-3 carries two different NHS numbers (type NH) for one patient',
    });
  }
  const [nhsNumber] = nhsNumbers;
  if (nhsNumber === undefined && localIdentifiers.length === 0) {
    return err({
      kind: 'required-field-missing',
      location: 'PID-3',
      reason: 'PID-3 has no NHS number (type NH) and no local identifier with an assigning authority (CX.4)',
    });
  }
  // PID-32 trace status conventions (NSTS01 …) are sender-specific; none is configured yet.
  return ok({ nhsNumber, nhsNumberVerificationStatus: null, localIdentifiers });
}
