/**
 * Reads the MSH facts an ACK and the dedup key need, from the MSH segment alone, so they are known
 * even when the rest of the message (or its declared charset) fails to parse. Pure.
 */
import { ok, type Result } from '../../core/result.js';
import { charsetNamed, decodeBytes, decodeLatin1, type Hl7Charset } from './decodeHl7Text.js';
import { componentOf, fieldOf, type Hl7EncodingCharacters, type Hl7Segment } from './hl7Message.js';
import { parseHl7Segment } from './parseHl7Segment.js';
import { type Hl7MshError, scanMshBytes } from './scanMshBytes.js';

/** Each value is the field's first leaf as sent, decoded; '' when not sent. */
export type Hl7Header = {
  readonly encoding: Hl7EncodingCharacters;
  readonly sendingApplication: string; // MSH-3.1
  readonly sendingFacility: string; // MSH-4.1
  readonly receivingApplication: string; // MSH-5.1
  readonly receivingFacility: string; // MSH-6.1
  readonly messageCode: string; // MSH-9.1
  readonly triggerEvent: string; // MSH-9.2
  readonly messageStructure: string; // MSH-9.3
  readonly controlId: string; // MSH-10
  readonly processingId: string; // MSH-11.1
  readonly version: string; // MSH-12.1
  readonly acceptAckType: string; // MSH-15
  readonly applicationAckType: string; // MSH-16
  readonly charset: string; // MSH-18, first repetition, as declared
};

/** The header facts of a parsed MSH segment. */
export function headerOf(msh: Hl7Segment, encoding: Hl7EncodingCharacters): Hl7Header {
  const at = (field: number, component = 1): string => componentOf(fieldOf(msh, field), component);
  return {
    encoding,
    sendingApplication: at(3),
    sendingFacility: at(4),
    receivingApplication: at(5),
    receivingFacility: at(6),
    messageCode: at(9),
    triggerEvent: at(9, 2),
    messageStructure: at(9, 3),
    controlId: at(10),
    processingId: at(11),
    version: at(12),
    acceptAckType: at(15),
    applicationAckType: at(16),
    charset: at(18),
  };
}

/**
 * Fails only when there is no MSH or its delimiters are unusable (then MSH-10 cannot be read reliably).
 * The MSH bytes are decoded in the declared charset when it is supported and they are valid in it,
 * otherwise as ISO 8859-1; a leaf whose escapes do not decode is kept as sent.
 */
export function readHl7Header(raw: Uint8Array): Result<Hl7Header, Hl7MshError> {
  const scan = scanMshBytes(raw);
  if (!scan.ok) return scan;
  const { encoding, start, end, declaredCharset } = scan.value;
  const bytes = raw.subarray(start, end);
  const declared = charsetNamed(declaredCharset);
  const charset = declared.ok ? declared.value : 'iso-8859-1';
  const inDeclared = decodeBytes(bytes, charset);
  const [text, textCharset]: readonly [string, Hl7Charset] = inDeclared.ok
    ? [inDeclared.value, charset]
    : [decodeLatin1(bytes), 'iso-8859-1'];
  const msh = parseHl7Segment(text, encoding, textCharset, 'keep-raw');
  return ok(headerOf(msh.ok ? msh.value : { id: 'MSH', fields: [] }, encoding));
}
