/**
 * What one access record says, built from the caller and the answer: the actor, the purpose of
 * use, the route as declared (never a value from the request), the patients whose data the
 * answer held (every `nhsNumber` in it, and the patient the path names), the correlation id and
 * the outcome. Pure.
 */
import { parseNhsNumber } from '../core/nhsNumber.js';
import type { AccessRecord } from '../schemas/generated/events.js';
import type { Principal } from './principal.js';

export type AccessRecordKind = AccessRecord['kind'];

/** Every NHS number a JSON answer holds under an `nhsNumber` key (or in a `patients` list), at any depth; sorted, each once. */
export function patientsIn(body: unknown, also: readonly string[] = []): readonly string[] {
  const found = new Set<string>();
  // An answer repeats its patients' numbers (a timeline names its patient in every event): each
  // distinct string is checked once.
  const looked = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string' || looked.has(value)) return;
    looked.add(value);
    const parsed = parseNhsNumber(value);
    if (parsed.ok) found.add(parsed.value);
  };
  for (const value of also) add(value);
  const stack: object[] = [];
  if (typeof body === 'object' && body !== null) stack.push(body);
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    const fields = node as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (key === 'nhsNumber') add(value);
      else if (typeof value !== 'object' || value === null) continue;
      else if (key === 'patients' && Array.isArray(value)) for (const each of value as unknown[]) add(each);
      else stack.push(value);
    }
  }
  return [...found].sort();
}

export type AccessActor = Pick<Principal, 'sub' | 'roles' | 'clientId' | 'purposeOfUse'>;

export function accessRecord(entry: {
  readonly accessId: string;
  readonly at: Date;
  readonly actor: AccessActor;
  readonly kind: AccessRecordKind;
  readonly route: string;
  readonly patients: readonly string[];
  readonly correlationId: string;
  readonly outcome: string;
}): AccessRecord {
  return {
    accessId: entry.accessId,
    at: entry.at,
    actorSub: entry.actor.sub,
    actorRoles: [...entry.actor.roles],
    clientId: entry.actor.clientId,
    purposeOfUse: entry.actor.purposeOfUse,
    kind: entry.kind,
    route: entry.route,
    patients: [...entry.patients],
    correlationId: entry.correlationId,
    outcome: entry.outcome,
  };
}
