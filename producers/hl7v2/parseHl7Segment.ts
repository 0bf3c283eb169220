/** Splits one segment's text into fields, repetitions, components and subcomponents, then unescapes each leaf. Pure. */
import { err, ok, type Result } from '../../core/result.js';
import type { Hl7Charset } from './decodeHl7Text.js';
import type { Hl7Component, Hl7EncodingCharacters, Hl7Field, Hl7Segment } from './hl7Message.js';
import { type Hl7EscapeError, unescapeHl7 } from './unescapeHl7.js';

/** Where a leaf failed to unescape: the field (`SEG-n`) and the 1-based position inside it. */
export type Hl7EscapeLocation = {
  readonly segmentId: string;
  readonly field: number;
  readonly repetition: number;
  readonly component: number;
  readonly subcomponent: number;
};

export type Hl7SegmentError =
  | { readonly kind: 'bad-segment-id' }
  | ({ readonly kind: 'bad-escape'; readonly problem: Hl7EscapeError['problem'] } & Hl7EscapeLocation);

/** `fail` for parsing a message; `keep-raw` keeps an undecodable leaf as sent, for reading MSH facts at any cost. */
export type BadEscapePolicy = 'fail' | 'keep-raw';

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

type FieldResult = Result<Hl7Field, Omit<Extract<Hl7SegmentError, { kind: 'bad-escape' }>, 'segmentId' | 'field'>>;

function parseField(
  text: string,
  encoding: Hl7EncodingCharacters,
  charset: Hl7Charset,
  policy: BadEscapePolicy,
): FieldResult {
  const repetitions: Hl7Component[][] = [];
  for (const [r, repetitionText] of text.split(encoding.repetition).entries()) {
    const components: Hl7Component[] = [];
    for (const [c, componentText] of repetitionText.split(encoding.component).entries()) {
      const subcomponents: string[] = [];
      for (const [s, leaf] of componentText.split(encoding.subcomponent).entries()) {
        const value = unescapeHl7(leaf, encoding, charset);
        if (value.ok) subcomponents.push(value.value);
        else if (policy === 'keep-raw') subcomponents.push(leaf);
        else {
          const at = { repetition: r + 1, component: c + 1, subcomponent: s + 1 };
          return err({ kind: 'bad-escape', problem: value.error.problem, ...at });
        }
      }
      components.push(subcomponents);
    }
    repetitions.push(components);
  }
  return ok(repetitions);
}

/**
 * Any MSH segment keeps MSH-1 (the field separator) and MSH-2 (the encoding characters) verbatim as
 * its first two fields, so positions match the standard; every other field is split and unescaped.
 */
export function parseHl7Segment(
  line: string,
  encoding: Hl7EncodingCharacters,
  charset: Hl7Charset,
  policy: BadEscapePolicy = 'fail',
): Result<Hl7Segment, Hl7SegmentError> {
  const idEnd = line.indexOf(encoding.field);
  const id = idEnd < 0 ? line : line.slice(0, idEnd);
  if (!SEGMENT_ID.test(id)) return err({ kind: 'bad-segment-id' });
  const texts = idEnd < 0 ? [] : line.slice(idEnd + 1).split(encoding.field);
  const isMsh = id === 'MSH' && idEnd >= 0;
  const fields: Hl7Field[] = isMsh ? [[[[encoding.field]]], [[[texts[0] ?? '']]]] : [];
  const firstSplit = isMsh ? 1 : 0;
  for (let i = firstSplit; i < texts.length; i++) {
    const field = parseField(texts[i] ?? '', encoding, charset, policy);
    if (!field.ok) return err({ ...field.error, segmentId: id, field: fields.length + 1 });
    fields.push(field.value);
  }
  return ok({ id, fields });
}
