/** The shape of a parsed HL7 v2 message and the 1-based accessors (`PID-3[2].4.1`) that read it. Pure. */
import { err, ok, type Result } from '../../core/result.js';

/** The delimiters a message declares in MSH-1 and MSH-2; `truncation` only when MSH-2 has the v2.7 fifth character. */
export type Hl7EncodingCharacters = {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  readonly truncation?: string;
};

/**
 * The nesting, innermost last: a field has repetitions, a repetition has components, a component
 * has subcomponents, and a subcomponent is a string with its escape sequences already decoded.
 * Every level holds at least one element: an empty field is `[[['']]]`.
 */
export type Hl7Component = readonly string[];
export type Hl7Repetition = readonly Hl7Component[];
export type Hl7Field = readonly Hl7Repetition[];

/**
 * `fields[n - 1]` is `SEG-n`. For MSH that includes MSH-1 (the field separator itself) and MSH-2
 * (the encoding characters, kept verbatim), so `fieldOf(msh, 3)` is the sending application.
 */
export type Hl7Segment = { readonly id: string; readonly fields: readonly Hl7Field[] };

export type Hl7Message = { readonly encoding: Hl7EncodingCharacters; readonly segments: readonly Hl7Segment[] };

/** A position in a message: a segment occurrence and a leaf inside it, all 1-based as HL7 counts. */
export type Hl7Location = {
  readonly segment: string;
  readonly occurrence: number;
  readonly field: number;
  readonly repetition: number;
  readonly component: number;
  readonly subcomponent: number;
};

export type Hl7PathError = { readonly kind: 'bad-path' };

/** MSH-2 as written: component, repetition, escape, subcomponent, then truncation when declared. */
export function encodingCharactersText(encoding: Hl7EncodingCharacters): string {
  return `${encoding.component}${encoding.repetition}${encoding.escape}${encoding.subcomponent}${encoding.truncation ?? ''}`;
}

/** Every segment with this id, in message order (`segmentsNamed(message, 'DG1')`). */
export function segmentsNamed(message: Hl7Message, id: string): readonly Hl7Segment[] {
  return message.segments.filter((segment) => segment.id === id);
}

/** `SEG-n`, or undefined when the segment stops before field n. */
export function fieldOf(segment: Hl7Segment | undefined, n: number): Hl7Field | undefined {
  return n >= 1 ? segment?.fields[n - 1] : undefined;
}

/** One leaf of a field: repetition and subcomponent default to 1; an absent position reads as ''. */
export function componentOf(
  field: Hl7Field | undefined,
  component: number,
  at: { readonly repetition?: number; readonly subcomponent?: number } = {},
): string {
  const repetition = at.repetition ?? 1;
  const subcomponent = at.subcomponent ?? 1;
  if (repetition < 1 || component < 1 || subcomponent < 1) return '';
  return field?.[repetition - 1]?.[component - 1]?.[subcomponent - 1] ?? '';
}

/**
 * A whole field as text: decoded leaves joined again with the message's delimiters. For display
 * and comparison only: a decoded `^` inside a leaf is indistinguishable from a component break.
 */
export function fieldText(field: Hl7Field | undefined, encoding: Hl7EncodingCharacters): string {
  return (field ?? [])
    .map((repetition) => repetition.map((component) => component.join(encoding.subcomponent)).join(encoding.component))
    .join(encoding.repetition);
}

const PATH =
  /^([A-Z][A-Z0-9]{2})(?:\[([1-9]\d{0,5})\])?-([1-9]\d{0,5})(?:\[([1-9]\d{0,5})\])?(?:\.([1-9]\d{0,5})(?:\.([1-9]\d{0,5}))?)?$/;

/** Reads `SEG[occurrence]-field[repetition].component.subcomponent`; every bracket and dot part is optional. */
export function parseHl7Path(path: string): Result<Hl7Location, Hl7PathError> {
  const match = PATH.exec(path);
  if (match === null) return err({ kind: 'bad-path' });
  const [, segment = '', occurrence, field = '', repetition, component, subcomponent] = match;
  return ok({
    segment,
    occurrence: Number(occurrence ?? 1),
    field: Number(field),
    repetition: Number(repetition ?? 1),
    component: Number(component ?? 1),
    subcomponent: Number(subcomponent ?? 1),
  });
}

/** The leaf at a location; '' when the message does not reach it. */
export function valueAtLocation(message: Hl7Message, location: Hl7Location): string {
  const segment = segmentsNamed(message, location.segment)[location.occurrence - 1];
  return componentOf(fieldOf(segment, location.field), location.component, location);
}

/**
 * The leaf at an HL7 path such as `MSH-10`, `PID-3[2].4.1` or `DG1[2]-3.1`; '' when absent.
 * A path that does not parse also reads as '': check literal paths with `parseHl7Path` in tests.
 */
export function valueAt(message: Hl7Message, path: string): string {
  const location = parseHl7Path(path);
  return location.ok ? valueAtLocation(message, location.value) : '';
}
