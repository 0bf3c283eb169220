/**
 * One patient's care-plan state as tasks: a GP review after each discharge and a review of each
 * confirmed long-term condition, open or closed with the reason. Due times come from clinical
 * time, so replays and late arrivals give the same dates. Shared by persist and the as-of API.
 * Pure.
 */
import type { ClinicalStatus } from '../../schemas/generated/events.js';
import { type CodeSystemLabel, codeSystemLabel } from '../codeSystemLabel.js';
import { earlierInstant } from '../orderIndependence.js';
import { byKeys } from '../rowOrder.js';
import type { CarePlanState, DiagnosisFact, DiagnosisState, DischargeFact, VisitState } from './evolve.js';

export type CarePlanTaskKind = 'gp-review-after-discharge' | 'long-term-condition-review';

export type TaskClosedReason =
  | 'discharge-cancelled'
  | 'patient-died'
  | 'cause-retracted'
  | 'refuted'
  | 'no-longer-active'
  | 'not-confirmed'
  | 'code-not-in-ltc-list';

export type CarePlanTaskRow = {
  /** `<kind>:<visitId>` or `<kind>:<diagnosisId>`: one cause never opens two tasks. Unique per patient. */
  readonly taskId: string;
  readonly nhsNumber: string;
  readonly kind: CarePlanTaskKind;
  readonly dueAt: string;
  readonly status: 'open' | 'closed';
  /** The visitId of the discharge or the diagnosisId of the condition. */
  readonly causeId: string;
  /** The condition's current code (null for a discharge review). */
  readonly code: string | null;
  readonly codeSystem: CodeSystemLabel | null;
  /** The clinical time the task was opened from: dischargedAt, or the first confirmed LTC version. */
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly closedReason: TaskClosedReason | null;
};

export type CarePlanRows = { readonly tasks: readonly CarePlanTaskRow[] };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Days are 24-hour periods of UTC time, not calendar days in London (they differ across a clock change). */
const plusDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

const GP_REVIEW_DAYS = 7;
const LTC_REVIEW_DAYS = 30;

/** NHS Data Dictionary discharge method 4 (died) and 5 (stillbirth); destination 79 (died). */
const diedMethods: ReadonlySet<string> = new Set(['4', '5']);
const diedDestinations: ReadonlySet<string> = new Set(['79']);
/** Destinations 49–53: a transfer to another NHS hospital, not a return to the GP's care. */
const transferDestinations: ReadonlySet<string> = new Set(['49', '50', '51', '52', '53']);
/** Emergency and outpatient attendances (HL7 PV1-2 E/O, v3 ActCode EMER/AMB) open no GP review. */
const unreviewedClasses: ReadonlySet<string> = new Set(['E', 'O', 'EMER', 'AMB']);
const noLongerActive: ReadonlySet<ClinicalStatus> = new Set(['INACTIVE', 'RESOLVED', 'REMISSION']);

const isIn = (set: ReadonlySet<string>, value: string | null): boolean => value !== null && set.has(value);

const recordsDeath = (d: DischargeFact): boolean =>
  isIn(diedMethods, d.dischargeMethod) || isIn(diedDestinations, d.dischargeDestination);

const opensGpReview = (d: DischargeFact): boolean =>
  !recordsDeath(d) && !isIn(transferDestinations, d.dischargeDestination) && !isIn(unreviewedClasses, d.encounterClass);

/** A cancellation at the same time as the discharge or later withdraws it (DOMAIN §5.6). */
const isCancelled = (visit: VisitState): boolean =>
  visit.discharge !== null && visit.cancel !== null && visit.cancel.occurredAt >= visit.discharge.occurredAt;

/** When the patient died, from the earliest standing discharge that says so; null when none does. */
function diedAt(state: CarePlanState): string | null {
  return Object.values(state.visits).reduce<string | null>(
    (at, visit) =>
      visit.discharge !== null && !isCancelled(visit) && recordsDeath(visit.discharge)
        ? earlierInstant(at, visit.discharge.dischargedAt)
        : at,
    null,
  );
}

type Closure = { readonly closedAt: string; readonly closedReason: TaskClosedReason };

const closed = (closure: Closure | null) =>
  closure === null
    ? { status: 'open' as const, closedAt: null, closedReason: null }
    : { status: 'closed' as const, ...closure };

/** A task still open after its own rules closes when the patient has died. */
const orDied = (closure: Closure | null, died: string | null): Closure | null =>
  closure ?? (died === null ? null : { closedAt: died, closedReason: 'patient-died' });

function gpReviewTask(nhsNumber: string, visitId: string, visit: VisitState, died: string | null): CarePlanTaskRow[] {
  const { discharge, cancel } = visit;
  if (discharge === null || !opensGpReview(discharge)) return [];
  const own: Closure | null =
    cancel !== null && isCancelled(visit) ? { closedAt: cancel.occurredAt, closedReason: 'discharge-cancelled' } : null;
  return [
    {
      taskId: `gp-review-after-discharge:${visitId}`,
      nhsNumber,
      kind: 'gp-review-after-discharge',
      dueAt: plusDays(discharge.dischargedAt, GP_REVIEW_DAYS),
      causeId: visitId,
      code: null,
      codeSystem: null,
      openedAt: discharge.dischargedAt,
      ...closed(orDied(own, died)),
    },
  ];
}

/** Why the diagnosis's current version closes its review; null while it is active, confirmed and LTC. */
function ltcClosure(current: DiagnosisFact): Closure | null {
  const closedAt = current.occurredAt;
  if (current.kind === 'DiagnosisRetracted' || current.verificationStatus === 'ENTERED_IN_ERROR')
    return { closedAt, closedReason: 'cause-retracted' };
  if (current.verificationStatus === 'REFUTED') return { closedAt, closedReason: 'refuted' };
  if (current.clinicalStatus !== null && noLongerActive.has(current.clinicalStatus))
    return { closedAt, closedReason: 'no-longer-active' };
  if (current.verificationStatus !== 'CONFIRMED') return { closedAt, closedReason: 'not-confirmed' };
  if (!current.ltc) return { closedAt, closedReason: 'code-not-in-ltc-list' };
  return null;
}

function ltcReviewTask(
  nhsNumber: string,
  diagnosisId: string,
  diagnosis: DiagnosisState,
  died: string | null,
): CarePlanTaskRow[] {
  const { current, firstLtc } = diagnosis;
  if (firstLtc === null) return [];
  // A retraction may carry no code: the task then shows the code that opened it.
  const coded = current.code !== null && current.codeSystem !== null ? current : firstLtc;
  return [
    {
      taskId: `long-term-condition-review:${diagnosisId}`,
      nhsNumber,
      kind: 'long-term-condition-review',
      dueAt: plusDays(firstLtc.occurredAt, LTC_REVIEW_DAYS),
      causeId: diagnosisId,
      code: coded.code,
      codeSystem: coded.codeSystem === null ? null : codeSystemLabel(coded.codeSystem),
      openedAt: firstLtc.occurredAt,
      ...closed(orDied(ltcClosure(current), died)),
    },
  ];
}

export function carePlanRows(nhsNumber: string, state: CarePlanState): CarePlanRows {
  const died = diedAt(state);
  const tasks = [
    ...Object.entries(state.visits).flatMap(([visitId, visit]) => gpReviewTask(nhsNumber, visitId, visit, died)),
    ...Object.entries(state.diagnoses).flatMap(([diagnosisId, diagnosis]) =>
      ltcReviewTask(nhsNumber, diagnosisId, diagnosis, died),
    ),
  ];
  return {
    tasks: tasks.sort(
      byKeys(
        (t) => t.dueAt,
        (t) => t.taskId,
      ),
    ),
  };
}
