/**
 * Every ORC group of an ORM^O01 or RDE^O11/O01 as a MedicationOrdered, Cancelled or
 * Discontinued, by ORC-1, in segment order (place `ORC#n`). Pure.
 */
import type { DedupKey } from '../../core/eventIdentity.js';
import { err, ok, type Result } from '../../core/result.js';
import type { CodeSystem, Medication } from '../../schemas/generated/events.js';
import type { EventDraft } from '../eventDraft.js';
import { quoteInReason, type Rejection } from '../rejection.js';
import type { Hl7Message } from './hl7Message.js';
import {
  firstTimeOf,
  type LocatedSegment,
  locateFirst,
  positionOf,
  requiredFirstTimeOf,
  requiredTextAt,
  textAt,
} from './locatedSegment.js';
import { lookUpCode } from './lookUpCode.js';

/** The segment that states what is ordered: RXO in an ORM, RXE (the pharmacy's encoded order) in an RDE. */
export type OrderDetailSegment = 'RXO' | 'RXE';

type OrderDetailFields = {
  readonly code: number;
  readonly dose: number;
  readonly doseUnit: number;
  readonly instructions: number;
  readonly indication: number;
};

/** Where each medication fact sits in the order detail segment (HL7 v2.5.1 positions, unchanged since 2.3). */
const orderDetailFields = {
  RXO: { code: 1, dose: 2, doseUnit: 4, instructions: 7, indication: 20 },
  RXE: { code: 2, dose: 3, doseUnit: 5, instructions: 7, indication: 27 },
} as const satisfies Record<OrderDetailSegment, OrderDetailFields>;

type OrderAction = 'ordered' | 'cancelled' | 'discontinued';

/** HL7 table 0119 values that are a clinical event; every other ORC-1 is answered AE (see MAPPING.md). */
const orderControls = {
  NW: 'ordered',
  CA: 'cancelled',
  DC: 'discontinued',
} as const satisfies Readonly<Record<string, OrderAction>>;

/** Medicine code-system mnemonics (RXO-1.3 / RXE-2.3); 2.5.1 has no standard one for dm+d. */
const medicationCodeSystems = {
  DMD: 'DMD',
} as const satisfies Readonly<Record<string, CodeSystem>>;

/** HL7 NM: an optional sign, digits, an optional decimal point. */
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** An absent segment reads as '' everywhere, so optional group members need no special case. */
const absent = (id: string): LocatedSegment => ({ id, occurrence: 1, segment: undefined });

type OrderGroup = {
  readonly orc: LocatedSegment;
  readonly detail: LocatedSegment | undefined;
  readonly tq1: LocatedSegment;
  readonly rxr: LocatedSegment;
};

/** Each ORC starts a group; the first TQ1, detail segment and RXR after it (before the next ORC) belong to it. */
function orderGroups(message: Hl7Message, detailId: OrderDetailSegment): readonly OrderGroup[] {
  const occurrences = new Map<string, number>();
  const groups: {
    orc: LocatedSegment;
    detail: LocatedSegment | undefined;
    tq1: LocatedSegment;
    rxr: LocatedSegment;
  }[] = [];
  for (const segment of message.segments) {
    const occurrence = (occurrences.get(segment.id) ?? 0) + 1;
    occurrences.set(segment.id, occurrence);
    const located: LocatedSegment = { id: segment.id, occurrence, segment };
    if (segment.id === 'ORC') {
      groups.push({ orc: located, detail: undefined, tq1: absent('TQ1'), rxr: absent('RXR') });
      continue;
    }
    const group = groups.at(-1);
    if (group === undefined) continue;
    if (segment.id === detailId && group.detail === undefined) group.detail = located;
    if (segment.id === 'TQ1' && group.tq1.segment === undefined) group.tq1 = located;
    if (segment.id === 'RXR' && group.rxr.segment === undefined) group.rxr = located;
  }
  return groups;
}

/** The medication the group states, or null when its detail segment is absent or carries no code. */
function medicationOf(group: OrderGroup, detailId: OrderDetailSegment): Result<Medication | null, Rejection> {
  const { detail, tq1, rxr, orc } = group;
  if (detail === undefined) return ok(null);
  const fields = orderDetailFields[detailId];
  const code = textAt(detail, fields.code, 1);
  if (code === null) return ok(null);
  const system = textAt(detail, fields.code, 3) ?? '';
  const codeSystem = lookUpCode(medicationCodeSystems, system);
  if (codeSystem === undefined) {
    return err({
      kind: 'unknown-code-system',
      location: positionOf(detail, fields.code),
      reason: `unknown coding system ${system === '' ? '(none sent)' : quoteInReason(system)} in ${detailId}-${fields.code}.3 (ORC #${orc.occurrence}); accepted: ${Object.keys(medicationCodeSystems).join(', ')}`,
    });
  }
  const dose = textAt(detail, fields.dose);
  if (dose !== null && !NUMERIC.test(dose)) {
    return err({
      kind: 'invalid-value',
      location: positionOf(detail, fields.dose),
      reason: `${positionOf(detail, fields.dose)} (dose) is not a decimal number`,
    });
  }
  return ok({
    code,
    codeSystem,
    display: textAt(detail, fields.code, 2),
    dose,
    doseUnit: textAt(detail, fields.doseUnit, 1),
    route: textAt(rxr, 1, 1),
    // TQ1-3 is an RPT whose first component is the repeat pattern; in the legacy TQ of ORC-7 it is component 2.
    frequency: textAt(tq1, 3, 1) ?? textAt(orc, 7, 2),
    dosageText: textAt(detail, fields.instructions, 2) ?? textAt(detail, fields.instructions, 1),
  });
}

function mapOrderGroup(
  message: Hl7Message,
  group: OrderGroup,
  detailId: OrderDetailSegment,
  keyFor: (place: string) => DedupKey,
): Result<EventDraft, Rejection> {
  const { orc, tq1 } = group;
  const place = `ORC#${orc.occurrence}`;
  const control = textAt(orc, 1) ?? '';
  const action = lookUpCode(orderControls, control);
  if (action === undefined) {
    return err({
      kind: 'unsupported-order-control',
      location: positionOf(orc, 1),
      reason: `ORC-1 order control ${control === '' ? '(none sent)' : quoteInReason(control)} (ORC #${orc.occurrence}) is not mapped; mapped: ${Object.keys(orderControls).join(', ')}`,
    });
  }
  const orderId = requiredTextAt(orc, 2, 1, 'placer order number');
  if (!orderId.ok) return orderId;
  const occurredAt = requiredFirstTimeOf(
    [
      [orc, 9],
      [locateFirst(message, 'MSH'), 7],
    ],
    `the time of ORC #${orc.occurrence}`,
  );
  if (!occurredAt.ok) return occurredAt;
  const medication = medicationOf(group, detailId);
  if (!medication.ok) return medication;
  const common = {
    occurredAt: occurredAt.value,
    orderId: orderId.value,
    placerNamespace: textAt(orc, 2, 2),
    fillerOrderId: textAt(orc, 3, 1),
    prescriber: textAt(orc, 12, 1),
    place,
    dedupKey: keyFor(place),
  };

  if (action === 'cancelled' || action === 'discontinued') {
    return ok({
      ...common,
      type: action === 'cancelled' ? 'MedicationOrderCancelled' : 'MedicationOrderDiscontinued',
      medication: medication.value,
      reason: textAt(orc, 16, 2) ?? textAt(orc, 16, 1),
    });
  }

  if (medication.value === null) {
    const fields = orderDetailFields[detailId];
    return err(
      group.detail === undefined
        ? {
            kind: 'segment-missing',
            location: detailId,
            reason: `ORC #${orc.occurrence} (NW) has no ${detailId} segment stating what is ordered`,
          }
        : {
            kind: 'required-field-missing',
            location: positionOf(group.detail, fields.code),
            reason: `${positionOf(group.detail, fields.code, 1)} (medicine code) is required on a new order and was not sent`,
          },
    );
  }
  // TQ1 (2.5+) gives the course's start and end; a 2.3/2.4 sender puts them in the TQ of ORC-7 (components 4 and 5).
  const startAt = firstTimeOf([
    [tq1, 7],
    [orc, 7, 4],
  ]);
  if (!startAt.ok) return startAt;
  const stopAt = firstTimeOf([
    [tq1, 8],
    [orc, 7, 5],
  ]);
  if (!stopAt.ok) return stopAt;
  const detail = group.detail ?? absent(detailId);
  const indication = orderDetailFields[detailId].indication;
  return ok({
    ...common,
    type: 'MedicationOrdered',
    medication: medication.value,
    startAt: startAt.value,
    stopAt: stopAt.value,
    reason: textAt(detail, indication, 2) ?? textAt(detail, indication, 1),
    encounterId: textAt(locateFirst(message, 'PV1'), 19),
  });
}

/** Atomic: the first group that cannot be mapped rejects the whole message. */
export function mapMedicationOrders(
  message: Hl7Message,
  detailId: OrderDetailSegment,
  keyFor: (place: string) => DedupKey,
): Result<readonly EventDraft[], Rejection> {
  const groups = orderGroups(message, detailId);
  if (groups.length === 0) {
    return err({ kind: 'segment-missing', location: 'ORC', reason: 'an order message needs at least one ORC segment' });
  }
  const drafts: EventDraft[] = [];
  for (const group of groups) {
    const draft = mapOrderGroup(message, group, detailId, keyFor);
    if (!draft.ok) return draft;
    drafts.push(draft.value);
  }
  return ok(drafts);
}
