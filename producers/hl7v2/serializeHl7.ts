/**
 * Writes a message back to HL7 v2 text with its own encoding characters: values are escaped, every
 * segment ends with CR. The caller encodes the text in the charset MSH-18 names. Pure.
 */
import {
  encodingCharactersText,
  type Hl7EncodingCharacters,
  type Hl7Field,
  type Hl7Message,
  type Hl7Segment,
} from './hl7Message.js';

/** Characters that may not appear raw in a value, with the escape that replaces them. */
function escapesFor(encoding: Hl7EncodingCharacters): ReadonlyMap<string, string> {
  const e = encoding.escape;
  const named: [string | undefined, string][] = [
    [encoding.escape, 'E'],
    [encoding.field, 'F'],
    [encoding.component, 'S'],
    [encoding.repetition, 'R'],
    [encoding.subcomponent, 'T'],
    [encoding.truncation, 'P'],
    // Segment ends and MLLP framing bytes travel as hex so the text stays one segment per line.
    ['\r', 'X0D'],
    ['\n', 'X0A'],
    ['\x0b', 'X0B'],
    ['\x1c', 'X1C'],
  ];
  return new Map(named.flatMap(([char, code]) => (char === undefined ? [] : [[char, `${e}${code}${e}`] as const])));
}

/** Escapes every delimiter, the escape character itself, CR, LF and the MLLP framing bytes in one value. */
export function escapeHl7(value: string, encoding: Hl7EncodingCharacters): string {
  return escapeWith(value, escapesFor(encoding));
}

function escapeWith(value: string, escapes: ReadonlyMap<string, string>): string {
  let out = '';
  for (const char of value) out += escapes.get(char) ?? char;
  return out;
}

function serializeField(
  field: Hl7Field,
  encoding: Hl7EncodingCharacters,
  escapes: ReadonlyMap<string, string>,
): string {
  return field
    .map((repetition) =>
      repetition
        .map((component) => component.map((leaf) => escapeWith(leaf, escapes)).join(encoding.subcomponent))
        .join(encoding.component),
    )
    .join(encoding.repetition);
}

/** MSH-1 and MSH-2 are written from the message's encoding characters, whatever the first two fields hold. */
function serializeSegment(
  segment: Hl7Segment,
  encoding: Hl7EncodingCharacters,
  escapes: ReadonlyMap<string, string>,
): string {
  const isMsh = segment.id === 'MSH';
  const fields = isMsh ? segment.fields.slice(2) : segment.fields;
  const head = isMsh ? `MSH${encoding.field}${encodingCharactersText(encoding)}` : segment.id;
  return [head, ...fields.map((field) => serializeField(field, encoding, escapes))].join(encoding.field);
}

export function serializeHl7(message: Hl7Message): string {
  const escapes = escapesFor(message.encoding);
  return message.segments.map((segment) => `${serializeSegment(segment, message.encoding, escapes)}\r`).join('');
}
