/**
 * The one rule-heavy choice at ingest: given the identifiers a message carries and what the
 * cross-reference knows about them, is the patient resolved (and what does the message
 * teach), must the message be parked until the mapping arrives, or do the identifiers
 * contradict what is known? Never guesses and never matches on demographics. Pure.
 */
import type { NhsNumber } from '../../core/nhsNumber.js';
import type { LocalIdentifier } from '../../schemas/generated/events.js';
import type { PatientIdentifiers } from '../eventDraft.js';

export type KnownMapping = { readonly authority: string; readonly localId: string; readonly nhsNumber: NhsNumber };

export type PatientDecision =
  | {
      readonly kind: 'resolved';
      readonly nhsNumber: NhsNumber;
      /** Local identifiers this message teaches (it carried them with the NHS number, and they were unknown). */
      readonly learns: readonly LocalIdentifier[];
      /** The mapping used when the message carried no NHS number. */
      readonly resolvedThrough: LocalIdentifier | undefined;
    }
  | { readonly kind: 'park'; readonly waitingOn: LocalIdentifier; readonly reason: string }
  | { readonly kind: 'conflict'; readonly on: LocalIdentifier | undefined; readonly reason: string };

const sameId = (a: { authority: string; value: string }, b: KnownMapping) =>
  a.authority === b.authority && a.value === b.localId;

/** `known`: every mapping for the message's local identifiers, and every mapping of its NHS number. */
export function decidePatient(ids: PatientIdentifiers, known: readonly KnownMapping[]): PatientDecision {
  const locals = ids.localIdentifiers;
  if (ids.nhsNumber !== undefined) {
    const nhs = ids.nhsNumber;
    for (const local of locals) {
      const mapped = known.find((k) => sameId(local, k));
      if (mapped !== undefined && mapped.nhsNumber !== nhs) {
        return {
          kind: 'conflict',
          on: local,
          reason: `local identifier (authority ${local.authority}) is already mapped to another NHS number`,
        };
      }
      const other = known.find(
        (k) => k.nhsNumber === nhs && k.authority === local.authority && k.localId !== local.value,
      );
      if (other !== undefined) {
        return {
          kind: 'conflict',
          on: local,
          reason: `the NHS number already has another local identifier from authority ${local.authority} (unmerged duplicate registration?)`,
        };
      }
    }
    return {
      kind: 'resolved',
      nhsNumber: nhs,
      learns: locals.filter((local) => !known.some((k) => sameId(local, k))),
      resolvedThrough: undefined,
    };
  }

  const resolutions = locals.flatMap((local) => {
    const mapped = known.find((k) => sameId(local, k));
    return mapped === undefined ? [] : [{ local, nhsNumber: mapped.nhsNumber }];
  });
  const distinct = new Set(resolutions.map((r) => r.nhsNumber));
  if (distinct.size > 1) {
    return { kind: 'conflict', on: undefined, reason: 'the local identifiers map to different NHS numbers' };
  }
  const [first] = resolutions;
  if (first !== undefined)
    return { kind: 'resolved', nhsNumber: first.nhsNumber, learns: [], resolvedThrough: first.local };
  // Wait on the medical record number when there is one: it is what a later message with
  // the NHS number will carry.
  const waitingOn = locals.find((l) => l.identifierType === 'MR') ?? locals[0];
  if (waitingOn === undefined) {
    return { kind: 'conflict', on: undefined, reason: 'no patient identifier at all' };
  }
  return {
    kind: 'park',
    waitingOn,
    reason: `no NHS number, and no cross-reference yet for the local identifier of authority ${waitingOn.authority}`,
  };
}
