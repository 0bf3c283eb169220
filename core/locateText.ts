/**
 * Finds where a value outside the value domain came from in a channel's input, given the
 * input's text leaves with their positions (HL7 leaves, JSON strings): the leaf equal to the
 * value (mappers trim), else the first leaf holding it, else the first leaf that itself breaks
 * the same rule (for a value the mapping built from several leaves). Pure.
 */
import type { FoundViolation, ValueViolation } from './valueDomain.js';

export type TextLeaf<Position> = { readonly position: Position; readonly text: string };

/** A leaf that itself breaks the rule a violation names. */
export function breaksSameRule(violation: ValueViolation): (text: string) => boolean {
  switch (violation.kind) {
    case 'control-character':
    case 'lone-surrogate':
    case 'noncharacter': {
      const character = String.fromCodePoint(violation.codePoint);
      return (text) => text.includes(character);
    }
    case 'too-long':
      return (text) => [...text].length > violation.maxLength;
    case 'not-a-calendar-instant':
    case 'instant-out-of-window':
      return () => false;
  }
}

export function locateText<Position>(
  leaves: Iterable<TextLeaf<Position>>,
  found: FoundViolation,
): Position | undefined {
  const all = [...leaves];
  const { value } = found;
  if (value !== undefined && value !== '') {
    const equal = all.find((leaf) => leaf.text.trim() === value);
    if (equal !== undefined) return equal.position;
    const holding = all.find((leaf) => leaf.text.includes(value));
    if (holding !== undefined) return holding.position;
  }
  const breaks = breaksSameRule(found.violation);
  return all.find((leaf) => breaks(leaf.text))?.position;
}

/** Every string in a parsed JSON value (and every object key), with the path of steps that reaches it. */
export function* jsonTextLeaves(
  value: unknown,
  steps: readonly (string | number)[] = [],
): Generator<TextLeaf<readonly (string | number)[]>> {
  if (typeof value === 'string') {
    yield { position: steps, text: value };
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* jsonTextLeaves(item, [...steps, index]);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      yield { position: [...steps, key], text: key };
      yield* jsonTextLeaves(item, [...steps, key]);
    }
  }
}

/** A FHIRPath for steps under a root (`Condition` + code, coding, 0, display → `Condition.code.coding[0].display`). */
export function fhirPathOf(root: string, steps: readonly (string | number)[]): string {
  return `${root}${steps.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('')}`;
}

/** An RFC 6901 JSON pointer for steps (`/data/display`); the whole document is `/` here, as the channel reports it. */
export function jsonPointerOf(steps: readonly (string | number)[]): string {
  if (steps.length === 0) return '/';
  return steps.map((step) => `/${String(step).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
