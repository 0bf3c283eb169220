/**
 * A FHIR Encounter to its discharge fact: PatientDischarged when it is finished, and
 * DischargeCancelled when a later version goes back to in-progress or is entered in error.
 * Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { EventDraft, MappedFacts } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { type ResourceMappingContext, requiredElement } from './fhirMappingContext.js';
import { fhirResourceIdentity, isLaterVersion } from './fhirResourceIdentity.js';
import type { EncounterStatus, FhirEncounter } from './fhirSchemas.js';
import { firstFhirInstant, optionalFhirInstant } from './parseFhirDateTime.js';
import { readFhirPatient } from './readFhirPatient.js';

export const DISCHARGE_METHOD_EXTENSION =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DischargeMethod';

/** v3 ParticipationType: the attender, the clinician responsible for the stay. */
const ATTENDER = 'ATND';

/**
 * What each status means for the discharge, statelessly (adapters keep no state):
 * - `finished` is a discharge, and needs `period.end`, the discharge time;
 * - `in-progress` or `entered-in-error` in a later version (versionId ≥ 2) cancels a discharge
 *   (like HL7 A13). An earlier version may never have been finished: the cancellation is then a
 *   no-op for the views, which hold no discharge for that visit;
 * - every other status, and those two in a first version, yields no event.
 */
function dischargeFactOf(status: EncounterStatus, laterVersion: boolean): 'discharged' | 'cancelled' | undefined {
  if (status === 'finished') return 'discharged';
  if (laterVersion && (status === 'in-progress' || status === 'entered-in-error')) return 'cancelled';
  return undefined;
}

export function mapEncounter(
  encounter: FhirEncounter,
  context: ResourceMappingContext,
): Result<MappedFacts | undefined, Rejection> {
  const { path } = context;
  const fact = dischargeFactOf(encounter.status, isLaterVersion(encounter.meta));
  if (fact === undefined) return ok(undefined);
  const identity = fhirResourceIdentity(encounter, context);
  if (!identity.ok) return identity;
  if (encounter.id === undefined) return err(requiredElement(`${path}.id`, 'it is the visit id of the discharge'));
  const patient = readFhirPatient(encounter.subject, path);
  if (!patient.ok) return patient;
  const { resourceKey: place, dedupKey } = identity.value;
  const periodEnd = encounter.period?.end;

  let draft: EventDraft;
  if (fact === 'discharged') {
    const dischargedAt = firstFhirInstant(
      [{ value: periodEnd, location: `${path}.period.end` }],
      'a finished Encounter is a discharge, and period.end is its time',
    );
    if (!dischargedAt.ok) return dischargedAt;
    const admittedAt = optionalFhirInstant(encounter.period?.start, `${path}.period.start`);
    if (!admittedAt.ok) return admittedAt;
    const participants = encounter.participant ?? [];
    const attender =
      participants.find((p) => p.type?.some((type) => type.coding?.some((c) => c.code === ATTENDER))) ??
      participants[0];
    draft = {
      type: 'PatientDischarged',
      occurredAt: dischargedAt.value,
      visitId: encounter.id,
      admittedAt: admittedAt.value,
      dischargedAt: dischargedAt.value,
      dischargeMethod:
        encounter.extension?.find((e) => e.url === DISCHARGE_METHOD_EXTENSION)?.valueCodeableConcept?.coding?.[0]
          ?.code ?? null,
      dischargeDestination: encounter.hospitalization?.dischargeDisposition?.coding?.[0]?.code ?? null,
      organisation: encounter.serviceProvider?.identifier?.value ?? null,
      responsibleClinician: attender?.individual?.identifier?.value ?? null,
      encounterClass: encounter.class.code ?? null,
      place,
      dedupKey,
    };
  } else {
    const cancelledAt = firstFhirInstant(
      [{ value: encounter.meta?.lastUpdated, location: `${path}.meta.lastUpdated` }],
      'it is the time the discharge was cancelled',
    );
    if (!cancelledAt.ok) return cancelledAt;
    const cancelledDischargeAt = optionalFhirInstant(periodEnd, `${path}.period.end`);
    if (!cancelledDischargeAt.ok) return cancelledDischargeAt;
    draft = {
      type: 'DischargeCancelled',
      occurredAt: cancelledAt.value,
      visitId: encounter.id,
      cancelledDischargeAt: cancelledDischargeAt.value,
      reason: encounter.status === 'entered-in-error' ? 'entered-in-error' : null,
      place,
      dedupKey,
    };
  }
  return ok({ patient: patient.value, source: identity.value.source, drafts: [draft] });
}
