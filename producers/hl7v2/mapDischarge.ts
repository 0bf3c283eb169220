/**
 * The visit-level facts of an ADT message: the discharge of an A03 and the cancelled discharge
 * of an A13, both from PV1 (place `PV1`). Pure.
 */
import type { DedupKey } from '../../core/eventIdentity.js';
import { err, ok, type Result } from '../../core/result.js';
import type { EventDraft } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import type { Hl7Message } from './hl7Message.js';
import {
  type LocatedSegment,
  locateFirst,
  reportedEventTime,
  requiredTextAt,
  textAt,
  timeAt,
} from './locatedSegment.js';

const PLACE = 'PV1';

function requirePv1(message: Hl7Message): Result<LocatedSegment, Rejection> {
  const pv1 = locateFirst(message, 'PV1');
  if (pv1.segment !== undefined) return ok(pv1);
  return err({ kind: 'segment-missing', location: 'PV1', reason: 'required segment PV1 is missing' });
}

/** ADT^A03 → PatientDischarged; `occurredAt` is the discharge time PV1-45, which must be sent. */
export function mapDischarge(message: Hl7Message, keyFor: (place: string) => DedupKey): Result<EventDraft, Rejection> {
  const pv1 = requirePv1(message);
  if (!pv1.ok) return pv1;
  const visitId = requiredTextAt(pv1.value, 19, 1, 'visit number');
  if (!visitId.ok) return visitId;
  const admittedAt = timeAt(pv1.value, 44);
  if (!admittedAt.ok) return admittedAt;
  // PV1-45 repeats from 2.5.1; the first repetition is the discharge being reported.
  const dischargedAt = timeAt(pv1.value, 45);
  if (!dischargedAt.ok) return dischargedAt;
  if (dischargedAt.value === null) {
    return err({
      kind: 'required-field-missing',
      location: 'PV1-45',
      reason: 'PV1-45 (discharge date/time) is required on an ADT^A03 and was not sent',
    });
  }
  return ok({
    type: 'PatientDischarged',
    occurredAt: dischargedAt.value,
    visitId: visitId.value,
    admittedAt: admittedAt.value,
    dischargedAt: dischargedAt.value,
    dischargeMethod: textAt(pv1.value, 36),
    dischargeDestination: textAt(pv1.value, 37),
    organisation: textAt(locateFirst(message, 'MSH'), 4),
    responsibleClinician: textAt(pv1.value, 7),
    encounterClass: textAt(pv1.value, 2),
    place: PLACE,
    dedupKey: keyFor(PLACE),
  });
}

/**
 * ADT^A13 → DischargeCancelled for the visit PV1-19.1; `cancelledDischargeAt` is PV1-45 when the
 * sender restates it, `reason` is EVN-4, and `occurredAt` the time of the cancellation.
 */
export function mapDischargeCancel(
  message: Hl7Message,
  keyFor: (place: string) => DedupKey,
): Result<EventDraft, Rejection> {
  const pv1 = requirePv1(message);
  if (!pv1.ok) return pv1;
  const visitId = requiredTextAt(pv1.value, 19, 1, 'visit number');
  if (!visitId.ok) return visitId;
  const cancelledDischargeAt = timeAt(pv1.value, 45);
  if (!cancelledDischargeAt.ok) return cancelledDischargeAt;
  const occurredAt = reportedEventTime(message);
  if (!occurredAt.ok) return occurredAt;
  return ok({
    type: 'DischargeCancelled',
    occurredAt: occurredAt.value,
    visitId: visitId.value,
    cancelledDischargeAt: cancelledDischargeAt.value,
    reason: textAt(locateFirst(message, 'EVN'), 4),
    place: PLACE,
    dedupKey: keyFor(PLACE),
  });
}
