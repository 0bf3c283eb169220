/**
 * Finds where a value outside the value domain came from in a parsed HL7 v2 message, as a
 * position `buildAck` can put in ERR-2 (`RXO-1.2`, `DG1[2]-3`, `PID-3[2].1`). Pure.
 */
import { locateText, type TextLeaf } from '../../core/locateText.js';
import type { FoundViolation } from '../../core/valueDomain.js';
import type { Hl7Message } from './hl7Message.js';

/** Every leaf of the message with its position; MSH-1 and MSH-2 are the delimiters, not values. */
function* leavesOf(message: Hl7Message): Generator<TextLeaf<string>> {
  const occurrences = new Map<string, number>();
  for (const segment of message.segments) {
    const occurrence = (occurrences.get(segment.id) ?? 0) + 1;
    occurrences.set(segment.id, occurrence);
    const segmentPart = occurrence > 1 ? `${segment.id}[${occurrence}]` : segment.id;
    for (const [f, field] of segment.fields.entries()) {
      if (segment.id === 'MSH' && f < 2) continue;
      for (const [r, repetition] of field.entries()) {
        for (const [c, component] of repetition.entries()) {
          for (const [s, text] of component.entries()) {
            const repetitionPart = r > 0 ? `[${r + 1}]` : '';
            const componentPart = c > 0 || s > 0 || repetition.length > 1 ? `.${c + 1}` : '';
            const subcomponentPart = s > 0 || component.length > 1 ? `.${s + 1}` : '';
            yield { position: `${segmentPart}-${f + 1}${repetitionPart}${componentPart}${subcomponentPart}`, text };
          }
        }
      }
    }
  }
}

/** The leaf the value came from, or undefined when no leaf can be named. */
export function locateHl7Value(message: Hl7Message, found: FoundViolation): string | undefined {
  return locateText(leavesOf(message), found);
}
