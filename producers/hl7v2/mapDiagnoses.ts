/**
 * Every DG1 of an ADT^A03/A08/A31 as a DiagnosisRecorded, Amended or Retracted, by its DG1-21
 * action code, in segment order (place `DG1#n`). Pure.
 */
import type { DedupKey } from '../../core/eventIdentity.js';
import { err, ok, type Result } from '../../core/result.js';
import type { CodeSystem, Coding, VerificationStatus } from '../../schemas/generated/events.js';
import type { EventDraft } from '../eventDraft.js';
import { quoteInReason, type Rejection } from '../rejection.js';
import type { Hl7Message } from './hl7Message.js';
import {
  type LocatedSegment,
  locateAll,
  locateFirst,
  positionOf,
  reportedEventTime,
  requiredFirstTimeOf,
  textAt,
} from './locatedSegment.js';
import { lookUpCode } from './lookUpCode.js';

type DiagnosisAction = 'recorded' | 'amended' | 'retracted';

/** HL7 table 0206 (DG1-21, from 2.5). Empty is how 2.3/2.4 senders, which have no DG1-21, add a diagnosis. */
const diagnosisActions = {
  '': 'recorded',
  A: 'recorded',
  U: 'amended',
  D: 'retracted',
} as const satisfies Readonly<Record<string, DiagnosisAction>>;

/** DG1-3.3 mnemonics taken for a diagnosis; `SCT` is only in table 0396 from 2.6, but UK senders use it earlier. */
const diagnosisCodeSystems = {
  SCT: 'SNOMED_CT',
  I10: 'ICD_10',
} as const satisfies Readonly<Record<string, CodeSystem>>;

/** HL7 table 0052 (DG1-6) → verification status; A/W → provisional is this project's rule. */
const verificationStatuses = {
  F: 'CONFIRMED',
  W: 'PROVISIONAL',
  A: 'PROVISIONAL',
} as const satisfies Readonly<Record<string, VerificationStatus>>;

type DiagnosisCode = {
  readonly code: string;
  /** DG1-3.3 as sent. */
  readonly system: string;
  readonly codeSystem: CodeSystem;
  readonly display: string | null;
  readonly codings: readonly Coding[];
};

/** DG1-3 (CE): identifier ^ text ^ coding system ^ alternate identifier ^ alternate text ^ alternate system. */
function diagnosisCode(dg1: LocatedSegment): Result<DiagnosisCode | null, Rejection> {
  const code = textAt(dg1, 3, 1);
  if (code === null) return ok(null);
  const system = textAt(dg1, 3, 3) ?? '';
  const codeSystem = lookUpCode(diagnosisCodeSystems, system);
  if (codeSystem === undefined) {
    return err({
      kind: 'unknown-code-system',
      location: positionOf(dg1, 3),
      reason: `unknown coding system ${system === '' ? '(none sent)' : quoteInReason(system)} in DG1-3.3 (DG1 #${dg1.occurrence}); accepted: ${Object.keys(diagnosisCodeSystems).join(', ')}`,
    });
  }
  const display = textAt(dg1, 3, 2) ?? textAt(dg1, 4);
  const alternateCode = textAt(dg1, 3, 4);
  // Codes are never translated: the alternate coding travels as sent, with its system as received.
  const alternate: readonly Coding[] =
    alternateCode === null
      ? []
      : [{ system: textAt(dg1, 3, 6) ?? '', code: alternateCode, display: textAt(dg1, 3, 5) }];
  return ok({ code, system, codeSystem, display, codings: [{ system, code, display }, ...alternate] });
}

function unresolvable(dg1: LocatedSegment, actionCode: string): Rejection {
  return {
    kind: 'unresolvable-correction',
    location: positionOf(dg1, 20),
    reason: `DG1-21 ${actionCode} (DG1 #${dg1.occurrence}) without DG1-20: cannot tell which diagnosis it changes`,
  };
}

/**
 * The mapping is stateless: a DG1 without an action code is recorded again on every message that
 * carries it, which projections treat as an upsert of the same `diagnosisId`. A DG1 absent from a
 * later message is not a retraction (see MAPPING.md).
 */
export function mapDiagnoses(
  message: Hl7Message,
  keyFor: (place: string) => DedupKey,
): Result<readonly EventDraft[], Rejection> {
  const pv1 = locateFirst(message, 'PV1');
  const evn = locateFirst(message, 'EVN');
  const msh = locateFirst(message, 'MSH');
  const visitId = textAt(pv1, 19);
  const drafts: EventDraft[] = [];
  for (const dg1 of locateAll(message, 'DG1')) {
    const place = `DG1#${dg1.occurrence}`;
    const actionCode = textAt(dg1, 21) ?? '';
    const action = lookUpCode(diagnosisActions, actionCode);
    if (action === undefined) {
      return err({
        kind: 'invalid-value',
        location: positionOf(dg1, 21),
        reason: `DG1-21 action code ${quoteInReason(actionCode)} (DG1 #${dg1.occurrence}) is not A, U or D (HL7 table 0206)`,
      });
    }
    const sentId = textAt(dg1, 20);
    const coded = diagnosisCode(dg1);
    if (!coded.ok) return coded;
    const code = coded.value;

    if (action === 'retracted') {
      if (sentId === null) return err(unresolvable(dg1, actionCode));
      const occurredAt = reportedEventTime(message);
      if (!occurredAt.ok) return occurredAt;
      drafts.push({
        type: 'DiagnosisRetracted',
        occurredAt: occurredAt.value,
        diagnosisId: sentId,
        code: code?.code ?? null,
        codeSystem: code?.codeSystem ?? null,
        display: code?.display ?? null,
        reason: 'deleted-at-source',
        encounterId: visitId,
        place,
        dedupKey: keyFor(place),
      });
      continue;
    }

    if (action === 'amended' && sentId === null) return err(unresolvable(dg1, actionCode));
    if (code === null) {
      return err({
        kind: 'required-field-missing',
        location: positionOf(dg1, 3),
        reason: `DG1-3.1 (diagnosis code) is required and was not sent (DG1 #${dg1.occurrence})`,
      });
    }
    const diagnosisId = sentId ?? (visitId === null ? null : `${visitId}/${code.system}/${code.code}`);
    if (diagnosisId === null) {
      return err({
        kind: 'required-field-missing',
        location: 'PV1-19',
        reason: `DG1 #${dg1.occurrence} has no DG1-20, and its fallback identity needs the visit number PV1-19.1`,
      });
    }
    // A correction happens when it is reported; DG1-5 on an amendment is still the original diagnosis time.
    const occurredAt =
      action === 'recorded'
        ? requiredFirstTimeOf(
            [
              [dg1, 5],
              [evn, 6],
              [evn, 2],
              [msh, 7],
            ],
            `the time of DG1 #${dg1.occurrence}`,
          )
        : reportedEventTime(message);
    if (!occurredAt.ok) return occurredAt;
    drafts.push({
      type: action === 'recorded' ? 'DiagnosisRecorded' : 'DiagnosisAmended',
      occurredAt: occurredAt.value,
      diagnosisId,
      code: code.code,
      codeSystem: code.codeSystem,
      display: code.display,
      codings: code.codings,
      clinicalStatus: null,
      verificationStatus: lookUpCode(verificationStatuses, textAt(dg1, 6) ?? '') ?? null,
      onset: null,
      recorder: textAt(dg1, 16),
      encounterId: visitId,
      place,
      dedupKey: keyFor(place),
    });
  }
  return ok(drafts);
}
