/**
 * A FHIR Condition to DiagnosisRecorded, DiagnosisAmended or DiagnosisRetracted, by stateless
 * rules on verificationStatus and meta.versionId. Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { ClinicalStatus, VerificationStatus } from '../../schemas/generated/events.js';
import type { EventDraft, MappedFacts } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { fhirDecimalString } from './fhirDecimalString.js';
import { type ResourceMappingContext, referencedId, requiredElement } from './fhirMappingContext.js';
import { fhirResourceIdentity, isLaterVersion } from './fhirResourceIdentity.js';
import type { FhirCodeableConcept, FhirCondition, FhirQuantity } from './fhirSchemas.js';
import { firstFhirInstant, parseFhirDateTime } from './parseFhirDateTime.js';
import { codingsOf, diagnosisCodeSystems, pickCoding } from './pickCoding.js';
import { readFhirPatient } from './readFhirPatient.js';

const VERIFICATION_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CLINICAL_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

/** R4 binds both statuses to these codes with a required binding; any other code is invalid. */
export const verificationStatuses = {
  unconfirmed: 'UNCONFIRMED',
  provisional: 'PROVISIONAL',
  differential: 'DIFFERENTIAL',
  confirmed: 'CONFIRMED',
  refuted: 'REFUTED',
  'entered-in-error': 'ENTERED_IN_ERROR',
} as const satisfies Record<string, VerificationStatus>;

export const clinicalStatuses = {
  active: 'ACTIVE',
  recurrence: 'RECURRENCE',
  relapse: 'RELAPSE',
  inactive: 'INACTIVE',
  remission: 'REMISSION',
  resolved: 'RESOLVED',
} as const satisfies Record<string, ClinicalStatus>;

/** The status a CodeableConcept states in `system`; null when the element is absent. */
function readStatus<S extends string>(
  concept: FhirCodeableConcept | undefined,
  system: string,
  codes: Readonly<Record<string, S>>,
  location: string,
): Result<S | null, Rejection> {
  if (concept === undefined) return ok(null);
  const codings = concept.coding ?? [];
  const index = codings.findIndex((coding) => coding.system === system);
  const code = codings[index]?.code;
  if (code === undefined) {
    return err({
      kind: 'invalid-value',
      location: `${location}.coding`,
      reason: `${location} has no code from ${system}`,
    });
  }
  if (!Object.hasOwn(codes, code)) {
    return err({
      kind: 'invalid-value',
      location: `${location}.coding[${index}].code`,
      reason: `${location} must be one of: ${Object.keys(codes).join(', ')}`,
    });
  }
  return ok(codes[code] ?? null);
}

const quantityText = (quantity: FhirQuantity | undefined): string =>
  [quantity?.value === undefined ? '' : fhirDecimalString(quantity.value), quantity?.unit ?? quantity?.code ?? '']
    .filter((part) => part !== '')
    .join(' ');

/**
 * onset[x] in the form and precision sent: onsetDateTime and onsetString as sent (a partial date
 * stays partial, text stays text), onsetPeriod as an ISO 8601 interval (`start/end`, `..` for an
 * open end), onsetAge as value and unit (`52 a`), onsetRange as `low..high`.
 */
function onsetOf(condition: FhirCondition, path: string): Result<string | null, Rejection> {
  const { onsetDateTime, onsetPeriod, onsetAge, onsetRange, onsetString } = condition;
  const checked = [
    { value: onsetDateTime, location: `${path}.onsetDateTime` },
    { value: onsetPeriod?.start, location: `${path}.onsetPeriod.start` },
    { value: onsetPeriod?.end, location: `${path}.onsetPeriod.end` },
  ];
  for (const { value, location } of checked) {
    if (value === undefined) continue;
    const parsed = parseFhirDateTime(value);
    if (!parsed.ok) {
      const why = parsed.error === 'time-without-zone' ? 'has a time without a zone' : 'is not a valid FHIR dateTime';
      return err({ kind: 'invalid-value', location, reason: `${location} ${why}` });
    }
  }
  if (onsetDateTime !== undefined) return ok(onsetDateTime);
  if (onsetString !== undefined) return ok(onsetString);
  if (onsetPeriod !== undefined) return ok(`${onsetPeriod.start ?? '..'}/${onsetPeriod.end ?? '..'}`);
  if (onsetAge !== undefined) return ok(quantityText(onsetAge));
  if (onsetRange !== undefined) {
    return ok(`${quantityText(onsetRange.low) || '..'}..${quantityText(onsetRange.high) || '..'}`);
  }
  return ok(null);
}

/**
 * The type is chosen without state: verificationStatus `entered-in-error` retracts (any
 * version); otherwise a later version (versionId ≥ 2) amends, and a first version records.
 * A retraction needs no code (R4 lets Condition.code be absent), but a code it does carry must
 * be in an accepted system, like any other.
 */
export function mapCondition(
  condition: FhirCondition,
  context: ResourceMappingContext,
): Result<MappedFacts | undefined, Rejection> {
  const { path } = context;
  const identity = fhirResourceIdentity(condition, context);
  if (!identity.ok) return identity;
  if (condition.id === undefined) return err(requiredElement(`${path}.id`, 'it is the diagnosis id'));
  const patient = readFhirPatient(condition.subject, path);
  if (!patient.ok) return patient;
  const verificationStatus = readStatus(
    condition.verificationStatus,
    VERIFICATION_STATUS_SYSTEM,
    verificationStatuses,
    `${path}.verificationStatus`,
  );
  if (!verificationStatus.ok) return verificationStatus;
  const coding = pickCoding(condition.code, diagnosisCodeSystems, `${path}.code`);
  if (!coding.ok) return coding;
  const encounterId = referencedId(condition.encounter, 'Encounter', `${path}.encounter.reference`, context);
  if (!encounterId.ok) return encounterId;
  const { resourceKey: place, dedupKey } = identity.value;
  const lastUpdated = { value: condition.meta?.lastUpdated, location: `${path}.meta.lastUpdated` };

  let draft: EventDraft;
  if (verificationStatus.value === 'ENTERED_IN_ERROR') {
    const occurredAt = firstFhirInstant([lastUpdated], 'it is the time of the retraction');
    if (!occurredAt.ok) return occurredAt;
    draft = {
      type: 'DiagnosisRetracted',
      occurredAt: occurredAt.value,
      diagnosisId: condition.id,
      code: coding.value?.code ?? null,
      codeSystem: coding.value?.codeSystem ?? null,
      display: coding.value?.display ?? null,
      reason: 'entered-in-error',
      encounterId: encounterId.value,
      place,
      dedupKey,
    };
  } else {
    if (coding.value === undefined) return err(requiredElement(`${path}.code`, 'it is the diagnosis to record'));
    const clinicalStatus = readStatus(
      condition.clinicalStatus,
      CLINICAL_STATUS_SYSTEM,
      clinicalStatuses,
      `${path}.clinicalStatus`,
    );
    if (!clinicalStatus.ok) return clinicalStatus;
    const onset = onsetOf(condition, path);
    if (!onset.ok) return onset;
    const amended = isLaterVersion(condition.meta);
    const occurredAt = amended
      ? firstFhirInstant([lastUpdated], 'it is the time of the amendment')
      : firstFhirInstant(
          [{ value: condition.recordedDate, location: `${path}.recordedDate` }, lastUpdated],
          'it is the time the diagnosis was recorded',
        );
    if (!occurredAt.ok) return occurredAt;
    draft = {
      type: amended ? 'DiagnosisAmended' : 'DiagnosisRecorded',
      occurredAt: occurredAt.value,
      diagnosisId: condition.id,
      code: coding.value.code,
      codeSystem: coding.value.codeSystem,
      display: coding.value.display,
      codings: codingsOf(condition.code),
      clinicalStatus: clinicalStatus.value,
      verificationStatus: verificationStatus.value,
      onset: onset.value,
      recorder: condition.recorder?.identifier?.value ?? null,
      encounterId: encounterId.value,
      place,
      dedupKey,
    };
  }
  return ok({ patient: patient.value, source: identity.value.source, drafts: [draft] });
}
