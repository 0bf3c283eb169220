/**
 * A FHIR MedicationRequest with an order intent to MedicationOrdered, MedicationOrderCancelled
 * or MedicationOrderDiscontinued, by its status alone (adapters keep no order state). Pure.
 */
import { err, ok, type Result } from '../../core/result.js';
import type { Medication } from '../../schemas/generated/events.js';
import type { EventDraft, MappedFacts } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { fhirDecimalString } from './fhirDecimalString.js';
import { type ResourceMappingContext, referencedId, requiredElement } from './fhirMappingContext.js';
import { fhirResourceIdentity } from './fhirResourceIdentity.js';
import type {
  FhirCodeableConcept,
  FhirDosage,
  FhirMedicationRequest,
  MedicationRequestIntent,
  MedicationRequestStatus,
} from './fhirSchemas.js';
import { firstFhirInstant, optionalFhirInstant } from './parseFhirDateTime.js';
import { medicationCodeSystems, pickCoding } from './pickCoding.js';
import { readFhirPatient } from './readFhirPatient.js';

/** The intents that are orders; `proposal`, `plan` and `option` are not, and yield no event. */
export const orderIntents: ReadonlySet<MedicationRequestIntent> = new Set([
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
] as const satisfies readonly MedicationRequestIntent[]);

type OrderEvent = {
  readonly type: 'MedicationOrdered' | 'MedicationOrderCancelled' | 'MedicationOrderDiscontinued';
  /** A reason that replaces the sender's statusReason. */
  readonly reason?: string;
};

/** What each R4 status gives (with an order intent); undefined is no event, the raw receipt keeps the version. */
export const orderEventFor = {
  /** A live order. A later active version restates the order: the same orderId, upserted by the views. */
  active: { type: 'MedicationOrdered' },
  /** Withdrawn before any administration. */
  cancelled: { type: 'MedicationOrderCancelled' },
  /** Halted for good after it started. */
  stopped: { type: 'MedicationOrderDiscontinued' },
  /** Should never have existed: cancelled, with reason `entered-in-error` so analysts can tell it apart. */
  'entered-in-error': { type: 'MedicationOrderCancelled', reason: 'entered-in-error' },
  /** The course ended naturally; that is not a discontinuation, and the event model has no completion. */
  completed: undefined,
  /** Paused but still an order; not a cancellation, and the event model has no hold. */
  'on-hold': undefined,
  /** Not yet an order. */
  draft: undefined,
  /** Not actionable. */
  unknown: undefined,
} as const satisfies Record<MedicationRequestStatus, OrderEvent | undefined>;

/** `timing.code.coding[0].code`, else `timing.code.text`, else `<frequency>/<period><periodUnit>` (`1/1d`). */
function frequencyOf(dosage: FhirDosage | undefined): string | null {
  const timing = dosage?.timing;
  const coded = timing?.code?.coding?.[0]?.code ?? timing?.code?.text;
  if (coded !== undefined) return coded;
  const repeat = timing?.repeat;
  if (repeat?.frequency === undefined || repeat.period === undefined || repeat.periodUnit === undefined) return null;
  return `${repeat.frequency}/${fhirDecimalString(repeat.period)}${repeat.periodUnit}`;
}

const textOf = (concept: FhirCodeableConcept | undefined): string | null =>
  concept?.text ?? concept?.coding?.[0]?.display ?? null;

/**
 * The medicine and the first dosage line. Only `medicationCodeableConcept` is read: a
 * `medicationReference` is not resolved. The dose is the JSON number written back as a decimal
 * (`fhirDecimalString`), so a sent `2.50` arrives as "2.5". Later dosage lines (tapering) are not
 * carried: the event holds one.
 */
function medicationOf(request: FhirMedicationRequest, path: string): Result<Medication | null, Rejection> {
  const coding = pickCoding(
    request.medicationCodeableConcept,
    medicationCodeSystems,
    `${path}.medicationCodeableConcept`,
  );
  if (!coding.ok) return coding;
  if (coding.value === undefined) return ok(null);
  const dosage = request.dosageInstruction?.[0];
  const dose = dosage?.doseAndRate?.[0]?.doseQuantity;
  return ok({
    code: coding.value.code,
    codeSystem: coding.value.codeSystem,
    display: coding.value.display,
    dose: dose?.value === undefined ? null : fhirDecimalString(dose.value),
    doseUnit: dose?.unit ?? dose?.code ?? null,
    route: dosage?.route?.coding?.[0]?.code ?? null,
    frequency: frequencyOf(dosage),
    dosageText: dosage?.text ?? null,
  });
}

export function mapMedicationRequest(
  request: FhirMedicationRequest,
  context: ResourceMappingContext,
): Result<MappedFacts | undefined, Rejection> {
  const { path } = context;
  const rule: OrderEvent | undefined = orderIntents.has(request.intent) ? orderEventFor[request.status] : undefined;
  if (rule === undefined) return ok(undefined);
  const identity = fhirResourceIdentity(request, context);
  if (!identity.ok) return identity;
  const patient = readFhirPatient(request.subject, path);
  if (!patient.ok) return patient;
  const medication = medicationOf(request, path);
  if (!medication.ok) return medication;
  const businessId = request.identifier?.[0];
  const orderId = businessId?.value ?? request.id;
  if (orderId === undefined) {
    return err(requiredElement(`${path}.identifier`, 'the order id is identifier[0].value, else the resource id'));
  }
  const placerNamespace = businessId?.value !== undefined ? (businessId.system ?? null) : null;
  const prescriber = request.requester?.identifier?.value ?? null;
  const lastUpdated = { value: request.meta?.lastUpdated, location: `${path}.meta.lastUpdated` };
  const { resourceKey: place, dedupKey } = identity.value;

  let draft: EventDraft;
  if (rule.type === 'MedicationOrdered') {
    if (medication.value === null) {
      return err(
        requiredElement(
          `${path}.medicationCodeableConcept`,
          'it is the medicine ordered (a medicationReference is not resolved)',
        ),
      );
    }
    const occurredAt = firstFhirInstant(
      [{ value: request.authoredOn, location: `${path}.authoredOn` }, lastUpdated],
      'it is the time of the order',
    );
    if (!occurredAt.ok) return occurredAt;
    const startAt = optionalFhirInstant(
      request.dispenseRequest?.validityPeriod?.start,
      `${path}.dispenseRequest.validityPeriod.start`,
    );
    if (!startAt.ok) return startAt;
    const stopAt = optionalFhirInstant(
      request.dosageInstruction?.[0]?.timing?.repeat?.boundsPeriod?.end,
      `${path}.dosageInstruction[0].timing.repeat.boundsPeriod.end`,
    );
    if (!stopAt.ok) return stopAt;
    const encounterId = referencedId(request.encounter, 'Encounter', `${path}.encounter.reference`, context);
    if (!encounterId.ok) return encounterId;
    draft = {
      type: 'MedicationOrdered',
      occurredAt: occurredAt.value,
      orderId,
      placerNamespace,
      fillerOrderId: null,
      medication: medication.value,
      startAt: startAt.value,
      stopAt: stopAt.value,
      prescriber,
      reason: textOf(request.reasonCode?.[0]),
      encounterId: encounterId.value,
      place,
      dedupKey,
    };
  } else {
    const occurredAt = firstFhirInstant([lastUpdated], 'it is the time the order ended');
    if (!occurredAt.ok) return occurredAt;
    draft = {
      type: rule.type,
      occurredAt: occurredAt.value,
      orderId,
      placerNamespace,
      fillerOrderId: null,
      medication: medication.value,
      prescriber,
      reason: rule.reason ?? textOf(request.statusReason),
      place,
      dedupKey,
    };
  }
  return ok({ patient: patient.value, source: identity.value.source, drafts: [draft] });
}
