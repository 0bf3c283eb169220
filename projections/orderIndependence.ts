/**
 * The merges that make a view's fold independent of arrival order and of duplicates: keep the
 * latest or the earliest fact by clinical time (ties by eventId), a set of event ids, the latest
 * instant. Each is commutative, associative and idempotent, so any order and any repetition of
 * the same events gives the same state. Instants are ISO strings (the state is stored as jsonb).
 * Pure.
 */
import type { ClinicalEvent } from '../schemas/generated/events.js';

/** Where a fact sits in clinical time; the eventId breaks ties so every replica picks the same winner. */
export type ClinicalStamp = { readonly occurredAt: string; readonly eventId: string };

/** An event's clinical stamp; `toISOString` has a fixed width, so the strings sort as the instants do. */
export const stampOf = (event: ClinicalEvent): ClinicalStamp => ({
  occurredAt: event.occurredAt.toISOString(),
  eventId: event.eventId,
});

/** Negative when `a` happened before `b`; equal times are ordered by eventId. */
export function compareClinically(a: ClinicalStamp, b: ClinicalStamp): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/** The later of the two facts in clinical time (`current` is null when nothing was seen yet). */
export function laterOf<T extends ClinicalStamp>(current: T | null, candidate: T): T {
  return current !== null && compareClinically(current, candidate) >= 0 ? current : candidate;
}

/** The earlier of the two facts in clinical time (`current` is null when nothing was seen yet). */
export function earlierOf<T extends ClinicalStamp>(current: T | null, candidate: T): T {
  return current !== null && compareClinically(current, candidate) <= 0 ? current : candidate;
}

/** The later of two ISO instants; null means none. */
export function laterInstant(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/** The earlier of two ISO instants; null means none. */
export function earlierInstant(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a <= b ? a : b;
}

/** The ids with `eventId` added: sorted and without repeats, so the set reads the same however it was built. */
export function withEventId(eventIds: readonly string[], eventId: string): readonly string[] {
  return eventIds.includes(eventId) ? eventIds : [...eventIds, eventId].sort();
}
