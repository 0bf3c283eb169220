/**
 * What a channel mapper produces: the clinical content of each event plus its place in the
 * source message, without the envelope parts that need I/O or the clock (the resolved
 * patient, recordedAt, the raw receipt). `completeEvents` adds those. Pure.
 */
import { type DedupKey, eventIdFor } from '../core/eventIdentity.js';
import type { NhsNumber } from '../core/nhsNumber.js';
import { checkEventValues, describeViolation, type FoundViolation, type ValueViolation } from '../core/valueDomain.js';
import type { ClinicalEvent, LocalIdentifier, Patient, Source } from '../schemas/generated/events.js';
import type { Rejection } from './rejection.js';

type EnvelopeField = 'eventId' | 'dedupKey' | 'recordedAt' | 'patient' | 'source' | 'correlationId' | 'causationId';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One canonical event before its envelope: `type`, `occurredAt` and the clinical fields. */
export type EventDraft = DistributiveOmit<ClinicalEvent, EnvelopeField> & {
  /** The fact's place in the source message (PV1, DG1#2, ORC#1, Bundle entry id …), part of its dedup key. */
  readonly place: string;
  /** The fact's dedup key, derived by the mapper from the source's identity and the place. */
  readonly dedupKey: DedupKey;
};

/**
 * The patient identifiers a message carries: the NHS number when it sent one (already
 * validated by the mapper: an invalid one is a rejection, never a silent omission), and the
 * local identifiers with their assigning authority, used to resolve or learn the patient.
 */
export type PatientIdentifiers = {
  readonly nhsNumber: NhsNumber | undefined;
  readonly nhsNumberVerificationStatus: string | null;
  readonly localIdentifiers: readonly LocalIdentifier[];
};

/**
 * The facts of one source message (or one Bundle entry) about one patient: the unit that is
 * resolved, parked, published and answered together.
 */
export type MappedFacts = {
  readonly patient: PatientIdentifiers;
  readonly source: MessageSource;
  readonly drafts: readonly EventDraft[];
};

/** The source provenance shared by every event of one message; `place` is per event. */
export type MessageSource = Omit<Source, 'place'>;

export function completeEvents(options: {
  readonly drafts: readonly EventDraft[];
  readonly patient: Patient;
  readonly source: MessageSource;
  readonly recordedAt: Date;
  readonly correlationId: string;
}): readonly ClinicalEvent[] {
  return options.drafts.map(({ place, dedupKey, ...draft }) => {
    const event = {
      ...draft,
      eventId: eventIdFor(dedupKey),
      dedupKey,
      recordedAt: options.recordedAt,
      patient: options.patient,
      source: { ...options.source, place },
      correlationId: options.correlationId,
      causationId: null,
    };
    // The spread of a union member with the envelope fields added is that member again.
    return event as ClinicalEvent;
  });
}

/**
 * The first value of a message's facts outside the value domain (core/valueDomain.ts): the
 * patient's identifiers, the source and every draft, each field named by its canonical path
 * (`medication.display`, `source.messageId`). The channel then says where it was in its input.
 */
export function findValueViolation(facts: MappedFacts): FoundViolation | undefined {
  const envelope = checkEventValues({ patient: facts.patient, source: facts.source });
  if (envelope !== undefined) return envelope;
  for (const { place, ...draft } of facts.drafts) {
    const found = checkEventValues({ ...draft, source: { place } });
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A value-domain violation as a rejection at `location` (the channel's own terms); the reason never quotes the value. */
export function rejectValueViolation(violation: ValueViolation, location: string): Rejection {
  return { kind: 'invalid-value', location, reason: describeViolation({ ...violation, location }) };
}
