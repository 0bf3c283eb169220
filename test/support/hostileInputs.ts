/**
 * Generated inputs for the property-based end-to-end suite: HL7 v2 (ORM^O01, ADT^A03, ADT^A08
 * diagnoses) over MLLP, FHIR resources and Bundles and JSON events over HTTP, built from the
 * samples with fields replaced by values drawn from hostile spaces (control characters, lone
 * surrogates, invalid UTF-8, HL7 escapes, extreme and impossible instants, very long ids and
 * texts, huge repetitions), reused control ids and Idempotency-Keys with changed content, and
 * valid values among them. Each input is turned into the bytes to send together with what it
 * must leave behind when it is accepted: its patient, its marker (the order, visit or
 * diagnosis id it carries, unique per input) and the values the log and the views must keep.
 * Test support; pure (fast-check arbitraries and byte building).
 */
import fc from 'fast-check';
import { sampleBytes } from './samples.js';

// ---------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------

/**
 * A piece of a generated text value. `text` is sent as characters in each channel's own
 * encoding (escaped as the channel needs); `bytes` are raw bytes placed as they are (invalid
 * UTF-8), for which no faithful text exists; `hl7Escape` is an HL7 escape sequence written raw
 * on the HL7 wire, with the text it stands for (undefined when it is malformed), and sent as
 * literal text on the other channels.
 */
export type Fragment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'hl7Escape'; readonly wire: string; readonly decoded: string | undefined };

export type HostileText = readonly Fragment[];

const plain = (text: string): Fragment => ({ kind: 'text', text });

const arbControl = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.constant('\u007f'),
);
const arbLoneSurrogate = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
const arbOddUnicode = fc.constantFrom(
  'é',
  'Siân',
  'ŶŴ',
  '😀',
  '\u200b',
  '\ufeff',
  '\ufffe',
  '\uffff',
  'ا\u200f',
  'e\u0301',
  '\u2028',
  '𝔘',
);
const arbInvalidUtf8 = fc.constantFrom(
  [0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xc3],
);
/** The HL7 escapes drawn, each with the text it stands for alone (undefined: none). */
export const HL7_ESCAPE_FRAGMENTS: readonly Extract<Fragment, { kind: 'hl7Escape' }>[] = [
  { kind: 'hl7Escape', wire: '\\F\\', decoded: '|' },
  { kind: 'hl7Escape', wire: '\\S\\', decoded: '^' },
  { kind: 'hl7Escape', wire: '\\T\\', decoded: '&' },
  { kind: 'hl7Escape', wire: '\\R\\', decoded: '~' },
  { kind: 'hl7Escape', wire: '\\E\\', decoded: '\\' },
  { kind: 'hl7Escape', wire: '\\X41\\', decoded: 'A' },
  { kind: 'hl7Escape', wire: '\\X00\\', decoded: '\u0000' },
  { kind: 'hl7Escape', wire: '\\X0D\\', decoded: '\r' },
  { kind: 'hl7Escape', wire: '\\H\\', decoded: '\\H\\' },
  { kind: 'hl7Escape', wire: '\\.br\\', decoded: '\\.br\\' },
  { kind: 'hl7Escape', wire: '\\Xzz\\', decoded: undefined },
  { kind: 'hl7Escape', wire: '\\X4\\', decoded: undefined },
  { kind: 'hl7Escape', wire: '\\F', decoded: undefined },
];
const arbHl7Escape = fc.constantFrom<Fragment>(...HL7_ESCAPE_FRAGMENTS);
const arbLong = fc
  .tuple(fc.integer({ min: 1000, max: 7000 }), fc.constantFrom('x', 'é', '😀', 'ab '))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

const arbFragment: fc.Arbitrary<Fragment> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(plain) },
  { weight: 2, arbitrary: arbControl.map(plain) },
  { weight: 1, arbitrary: arbLoneSurrogate.map(plain) },
  { weight: 2, arbitrary: arbOddUnicode.map(plain) },
  { weight: 1, arbitrary: arbInvalidUtf8.map((bytes): Fragment => ({ kind: 'bytes', bytes })) },
  { weight: 2, arbitrary: arbHl7Escape },
  { weight: 1, arbitrary: arbLong.map(plain) },
);

/** A text value: a readable head (so an empty value is never generated) and up to 4 fragments, hostile or not. */
export const arbHostileText: fc.Arbitrary<HostileText> = fc
  .array(arbFragment, { maxLength: 4 })
  .map((fragments) => [plain('Med '), ...fragments]);

/** An identifier suffix: very long, or hostile characters. */
export const arbHostileIdSuffix: fc.Arbitrary<HostileText> = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 7000 }).map((n) => [plain('9'.repeat(n))]) },
  { weight: 1, arbitrary: fc.array(arbFragment, { minLength: 1, maxLength: 2 }) },
);

/**
 * An instant as its parts. `real` says whether the parts name an instant (in UTC) that exists
 * in the proleptic Gregorian calendar; `iso` is that instant.
 */
export type HostileInstant = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
};

const arbNormalInstant = fc
  .record({
    year: fc.integer({ min: 2020, max: 2027 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
  })
  .map((i): HostileInstant => i);

const at = (year: number, month: number, day: number, hour = 12, minute = 0, second = 0): HostileInstant => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});

export const arbHostileInstant: fc.Arbitrary<HostileInstant> = fc.oneof(
  { weight: 3, arbitrary: arbNormalInstant },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      at(0, 1, 1),
      at(1, 1, 1),
      at(1899, 12, 31),
      at(1900, 1, 1, 0),
      at(1969, 12, 31, 23, 59, 59),
      at(1970, 1, 1, 0),
      at(2100, 12, 31, 23, 59, 59),
      at(2101, 1, 1, 0),
      at(9999, 12, 31, 23, 59, 59),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      at(2026, 2, 31),
      at(2026, 2, 29),
      at(2026, 13, 1),
      at(2026, 0, 10),
      at(2026, 3, 0),
      at(2026, 3, 5, 24, 60),
      at(2026, 3, 5, 23, 59, 60),
      at(2026, 4, 31),
    ),
  },
);

/** The instant the parts name, or undefined when they name none (February 31st, 24:60, month 13 …). */
export function realInstant(i: HostileInstant): Date | undefined {
  if (i.month < 1 || i.month > 12 || i.day < 1 || i.hour > 23 || i.minute > 59 || i.second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(i.year, i.month - 1, i.day);
  date.setUTCHours(i.hour, i.minute, i.second, 0);
  return date.getUTCDate() === i.day && date.getUTCMonth() === i.month - 1 ? date : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYYMMDDHHMMSS+0000`, as HL7 writes an instant. */
export function hl7Instant(i: HostileInstant): string {
  return `${pad(i.year, 4)}${pad(i.month)}${pad(i.day)}${pad(i.hour)}${pad(i.minute)}${pad(i.second)}+0000`;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, as FHIR and the JSON events write one. */
export function isoInstant(i: HostileInstant): string {
  return `${pad(i.year, 4)}-${pad(i.month)}-${pad(i.day)}T${pad(i.hour)}:${pad(i.minute)}:${pad(i.second)}Z`;
}

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

export type InputKind =
  | 'hl7-order'
  | 'hl7-discharge'
  | 'hl7-diagnosis'
  | 'fhir-medication'
  | 'fhir-condition'
  | 'fhir-encounter'
  | 'fhir-bundle'
  | 'json-medication'
  | 'json-discharge'
  | 'json-diagnosis';

/** The generated parts of one input; undefined parts keep the sample's value. */
export type HostileInput = {
  readonly kind: InputKind;
  readonly text?: HostileText;
  readonly instant?: HostileInstant;
  readonly markerSuffix: HostileText;
  /** HL7 MSH-10, the FHIR id, the JSON Idempotency-Key: a suffix after the input's own unique prefix. */
  readonly messageIdSuffix: HostileText;
  /** HL7: declare UTF-8 in MSH-18, or declare nothing. */
  readonly declareUtf8: boolean;
  /** HL7 PID-3 / FHIR codings repeated this many more times (huge repetitions). */
  readonly repetitions: number;
  /** JSON and FHIR: an X-Correlation-Id header of this many characters. */
  readonly correlationIdLength?: number;
  /** Sent again after the first answer under the same message id with other content (another order, drug, text). */
  readonly resendChanged?: { readonly text: HostileText };
};

const kinds: readonly InputKind[] = [
  'hl7-order',
  'hl7-discharge',
  'hl7-diagnosis',
  'fhir-medication',
  'fhir-condition',
  'fhir-encounter',
  'fhir-bundle',
  'json-medication',
  'json-discharge',
  'json-diagnosis',
];

/** `arbitrary` once in `oneIn` draws, else undefined (the sample's value). */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const noSuffix = fc.constant<HostileText>([]);

/**
 * One input: a kind, and each generated part drawn rarely enough that about a third of the
 * inputs are valid and most others break one rule, so acceptance is exercised as much as refusal.
 */
export const arbHostileInput: fc.Arbitrary<HostileInput> = fc
  .record({
    kind: fc.constantFrom(...kinds),
    text: sometimes(arbHostileText, 3),
    instant: sometimes(arbHostileInstant, 3),
    markerSuffix: fc.oneof({ weight: 4, arbitrary: noSuffix }, { weight: 1, arbitrary: arbHostileIdSuffix }),
    messageIdSuffix: fc.oneof({ weight: 4, arbitrary: noSuffix }, { weight: 1, arbitrary: arbHostileIdSuffix }),
    declareUtf8: fc.boolean(),
    repetitions: fc.oneof(
      { weight: 10, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(50, 3000) },
    ),
    correlationIdLength: sometimes(fc.constantFrom(36, 200, 201, 6000), 8),
    resendChanged: sometimes(fc.record({ text: arbHostileText }), 6),
  })
  .map((input) => input as HostileInput);

// ---------------------------------------------------------------------------------------
// From an input to bytes and expectations
// ---------------------------------------------------------------------------------------

export type ViewPlacement =
  | 'gp-medication'
  | 'pharmacy-order'
  | 'gp-discharge'
  | 'gp-problem'
  | 'care-plan-discharge'
  | 'care-plan-ltc';

/** What one delivery must leave behind when accepted, and must not leave behind when refused. */
export type Expectation = {
  readonly nhsNumber: string;
  /** The order, visit or diagnosis id the delivery carries; starts with `markerPrefix`, unique per delivery. */
  readonly markerPrefix: string;
  /** The marker's full value, or undefined when it has no faithful text (invalid bytes, bad escape, lone surrogate on HL7). */
  readonly marker: string | undefined;
  readonly eventType: 'MedicationOrdered' | 'PatientDischarged' | 'DiagnosisRecorded';
  readonly views: readonly ViewPlacement[];
  /** The display text the event and the views must keep; undefined when the text has no faithful form; absent when not generated. */
  readonly display?: string | undefined;
  /** The event's clinical time; undefined when the generated parts name no instant. */
  readonly occurredAt?: Date | undefined;
  /** The clinical time as sent, when generated. */
  readonly instantSent?: string;
};

export type Delivery =
  | { readonly channel: 'hl7'; readonly bytes: Uint8Array; readonly expect: Expectation; readonly label: string }
  | {
      readonly channel: 'http';
      readonly path: string;
      readonly body: Uint8Array;
      readonly headers: Readonly<Record<string, string>>;
      readonly expect: Expectation;
      readonly label: string;
    };

/** The deliveries of one input, sent one after another: the first, then its changed resend when generated. */
export function deliveriesOf(input: HostileInput, index: number, nhsNumber: string): readonly Delivery[] {
  const first = build(input, { index, nhsNumber, text: input.text, variant: 'a' });
  // A Condition's or Encounter's id is its marker, so a resend under the same id would carry the same marker:
  // FHIR resends are made with MedicationRequests (in a Bundle or not), whose marker is the order identifier.
  const resendable = input.kind !== 'fhir-condition' && input.kind !== 'fhir-encounter';
  if (input.resendChanged === undefined || !resendable) return [first];
  return [first, build(input, { index, nhsNumber, text: input.resendChanged.text, variant: 'b' })];
}

type BuildContext = {
  readonly index: number;
  readonly nhsNumber: string;
  readonly text: HostileText | undefined;
  /** 'b' is the resend with changed content: another marker, the same message id. */
  readonly variant: 'a' | 'b';
};

function build(input: HostileInput, context: BuildContext): Delivery {
  const channel = input.kind.split('-')[0];
  if (channel === 'hl7') return buildHl7(input, context);
  if (channel === 'fhir') return buildFhir(input, context);
  return buildJson(input, context);
}

const markerPrefixOf = (input: HostileInput, context: BuildContext) =>
  `FZ${context.index}${context.variant}${input.kind === 'hl7-discharge' || input.kind === 'fhir-encounter' || input.kind === 'json-discharge' ? 'V' : 'X'}`;

/**
 * The text a value stands for on a channel, or undefined when it has none. On HL7 that is what
 * its bytes on the wire mean (hl7WireText): fragments are read together, as a receiver reads
 * them, so an escape or a byte sequence that is incomplete alone may be completed by the next
 * fragment (`\F` then `\F` is `\F\F`, a field separator then `F`). The HL7 channel reads a
 * leaf without the spaces (U+0020 only) padding either end (producers/hl7v2/MAPPING.md): string
 * types are left-justified with trailing blanks optional (v2.5 §2.A.74), and a padded identifier
 * must match an unpadded one. Elsewhere escapes are plain text and raw bytes have no text.
 */
function intendedText(value: HostileText, channel: 'hl7' | 'other'): string | undefined {
  if (channel === 'hl7') return hl7WireText(hl7ValueBytes(value))?.replace(/^ +| +$/g, '');
  let text = '';
  for (const fragment of value) {
    if (fragment.kind === 'bytes') return undefined;
    text += fragment.kind === 'hl7Escape' ? fragment.wire : fragment.text;
  }
  return text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const DELIMITER_ESCAPES: Readonly<Record<string, string>> = { F: '|', S: '^', T: '&', R: '~', E: '\\' };

/**
 * The text one leaf's bytes stand for under the sample's encoding characters (`|^~\&`, no
 * truncation character) and UTF-8, written from HL7 v2.5 §2.7 as the suite's oracle: the bytes
 * must be UTF-8; `\F\ \S\ \T\ \R\ \E\` are the delimiters; `\X…\` is an even number of hex
 * digits, whose bytes (with those of the hex escapes right after it) must be UTF-8; any other
 * sequence (formatting, local) stands for itself; an escape character with no closing one in
 * the leaf, or a malformed hex escape, means the leaf has no text. Exported for its own test.
 */
export function hl7WireText(bytes: readonly number[]): string | undefined {
  const wire = utf8Text(Uint8Array.from(bytes));
  if (wire === undefined) return undefined;
  let text = '';
  let hex: number[] = [];
  const flushHex = (): boolean => {
    if (hex.length === 0) return true;
    const decoded = utf8Text(Uint8Array.from(hex));
    hex = [];
    if (decoded === undefined) return false;
    text += decoded;
    return true;
  };
  let at = 0;
  while (at < wire.length) {
    const open = wire.indexOf('\\', at);
    if (open < 0) {
      if (!flushHex()) return undefined;
      text += wire.slice(at);
      break;
    }
    if (open > at && !flushHex()) return undefined;
    text += wire.slice(at, open);
    const close = wire.indexOf('\\', open + 1);
    if (close < 0) return undefined;
    const sequence = wire.slice(open + 1, close);
    if (sequence.startsWith('X')) {
      if (!/^X(?:[0-9A-Fa-f]{2})+$/.test(sequence)) return undefined;
      for (let i = 1; i < sequence.length; i += 2) hex.push(Number.parseInt(sequence.slice(i, i + 2), 16));
    } else {
      if (!flushHex()) return undefined;
      text += DELIMITER_ESCAPES[sequence] ?? `\\${sequence}\\`;
    }
    at = close + 1;
  }
  return flushHex() ? text : undefined;
}

const encoder = new TextEncoder();

/** WTF-8: UTF-8 that writes a lone surrogate as its own three bytes (what a careless writer sends). */
function wtf8(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff)
      bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else for (const byte of encoder.encode(char)) bytes.push(byte);
  }
  return bytes;
}

const HL7_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\E\\',
  '|': '\\F\\',
  '^': '\\S\\',
  '~': '\\R\\',
  '&': '\\T\\',
  '\r': '\\X0D\\',
  '\n': '\\X0A\\',
  '\u000b': '\\X0B\\',
  '\u001c': '\\X1C\\',
};

/** A value's bytes on the HL7 wire (UTF-8, delimiters escaped, raw escapes and bytes as generated). */
function hl7ValueBytes(value: HostileText): number[] {
  const bytes: number[] = [];
  for (const fragment of value) {
    const piece =
      fragment.kind === 'bytes'
        ? fragment.bytes
        : fragment.kind === 'hl7Escape'
          ? encoder.encode(fragment.wire)
          : wtf8([...fragment.text].map((c) => HL7_ESCAPES[c] ?? c).join(''));
    for (const byte of piece) bytes.push(byte);
  }
  return bytes;
}

/** Text with `@@n@@` slots replaced by byte values: lets a template carry bytes no string can. */
function fillSlots(template: string, slots: readonly (readonly number[])[]): Uint8Array {
  const parts = template.split(/@@(\d+)@@/);
  return Buffer.concat(
    parts.map((part, i) => (i % 2 === 0 ? encoder.encode(part) : Uint8Array.from(slots[Number(part)] ?? []))),
  );
}

function sampleLines(input: string): string[] {
  return new TextDecoder()
    .decode(sampleBytes(input))
    .split('\r')
    .filter((line) => line !== '');
}

/** Replaces field `n` (HL7 numbering) of the first segment with this id. */
function setField(lines: string[], id: string, n: number, value: string): void {
  const at = lines.findIndex((line) => line.startsWith(`${id}|`));
  const line = lines[at];
  if (line === undefined) throw new Error(`no ${id} segment`);
  const parts = line.split('|');
  const index = id === 'MSH' ? n - 1 : n;
  while (parts.length <= index) parts.push('');
  parts[index] = value;
  lines[at] = parts.join('|');
}

const PID3 = (nhs: string) => `${nhs}^^^NHS^NH`;

function buildHl7(input: HostileInput, context: BuildContext): Delivery {
  const slots: number[][] = [];
  const slot = (bytes: number[]) => {
    slots.push(bytes);
    return `@@${slots.length - 1}@@`;
  };
  const markerPrefix = markerPrefixOf(input, context);
  const marker = [plain(markerPrefix), ...input.markerSuffix];
  const messageId = [plain(`FZ${context.index}M`), ...input.messageIdSuffix];
  let lines: string[];
  let eventType: Expectation['eventType'];
  let views: ViewPlacement[];
  if (input.kind === 'hl7-order') {
    lines = sampleLines('hl7v2/orm_o01_new_order.hl7');
    setField(lines, 'ORC', 2, `${slot(hl7ValueBytes(marker))}^EPR`);
    if (input.instant !== undefined) setField(lines, 'ORC', 9, hl7Instant(input.instant));
    if (context.text !== undefined) setField(lines, 'RXO', 1, `323509004^${slot(hl7ValueBytes(context.text))}^DMD`);
    eventType = 'MedicationOrdered';
    views = ['gp-medication', 'pharmacy-order'];
  } else if (input.kind === 'hl7-discharge') {
    lines = sampleLines('hl7v2/adt_a03_discharge.hl7').filter((line) => !line.startsWith('DG1|'));
    const pv1 = lines.findIndex((line) => line.startsWith('PV1|'));
    const parts = (lines[pv1] ?? '').split('|');
    parts[19] = `${slot(hl7ValueBytes(marker))}^^^RXX^VN`;
    if (input.instant !== undefined) parts[45] = hl7Instant(input.instant);
    lines[pv1] = parts.join('|');
    if (context.text !== undefined) setField(lines, 'PV1', 7, `C9999001^${slot(hl7ValueBytes(context.text))}`);
    eventType = 'PatientDischarged';
    views = ['gp-discharge', 'care-plan-discharge'];
  } else {
    lines = sampleLines('hl7v2/adt_a08_diagnosis_update.hl7');
    // A diagnosis recorded (no DG1-21 action code) with its own id in DG1-20; E11.2 is a long-term condition.
    const dg1 = lines.findIndex((line) => line.startsWith('DG1|'));
    const parts = (lines[dg1] ?? '').split('|');
    parts[3] = `E11.2^${slot(hl7ValueBytes(context.text ?? [plain('Type 2 diabetes mellitus')]))}^I10`;
    if (input.instant !== undefined) parts[5] = hl7Instant(input.instant);
    parts[20] = `${slot(hl7ValueBytes(marker))}^PAS`;
    parts[21] = '';
    lines[dg1] = parts.join('|');
    eventType = 'DiagnosisRecorded';
    views = ['gp-problem', 'care-plan-ltc'];
  }
  setField(lines, 'MSH', 10, slot(hl7ValueBytes(messageId)));
  setField(lines, 'MSH', 18, input.declareUtf8 ? 'UNICODE UTF-8' : '');
  // Local identifiers of this patient only: one shared by two patients would park both (an identity conflict).
  const repeated = Array.from({ length: input.repetitions }, (_, i) => `~M${context.nhsNumber}-${i}^^^RXX^MR`).join('');
  setField(lines, 'PID', 3, `${PID3(context.nhsNumber)}${repeated}`);
  return {
    channel: 'hl7',
    label: `${input.kind}${context.variant === 'b' ? ' (resent changed)' : ''}`,
    bytes: fillSlots(lines.map((line) => `${line}\r`).join(''), slots),
    expect: {
      nhsNumber: context.nhsNumber,
      markerPrefix,
      marker: intendedText(marker, 'hl7'),
      eventType,
      views,
      // A discharge keeps no generated text (PV1-7's name is not carried): its text is only sent.
      ...(context.text === undefined || eventType === 'PatientDischarged'
        ? {}
        : { display: intendedText(context.text, 'hl7') }),
      ...(input.instant === undefined
        ? {}
        : { occurredAt: realInstant(input.instant), instantSent: isoInstant(input.instant) }),
    },
  };
}

/** JSON text of a value: the text fragments as JSON strings would carry them, bytes in slots. */
function jsonValue(value: HostileText, slot: (bytes: number[]) => string): string {
  return value
    .map((fragment) => {
      if (fragment.kind === 'bytes') return slot([...fragment.bytes]);
      const text = fragment.kind === 'hl7Escape' ? fragment.wire : fragment.text;
      return JSON.stringify(text).slice(1, -1);
    })
    .join('');
}

/** A placeholder string in a JSON body that `jsonBytes` replaces with the raw JSON text of a value. */
const placeholder = (n: number) => `@@P${n}@@`;

function jsonBytes(body: unknown, values: readonly HostileText[]): Uint8Array {
  const slots: number[][] = [];
  const slot = (bytes: number[]) => {
    slots.push(bytes);
    return `@@${slots.length - 1}@@`;
  };
  let text = JSON.stringify(body);
  values.forEach((value, n) => {
    text = text.replace(placeholder(n), () => jsonValue(value, slot));
  });
  return fillSlots(text, slots);
}

function correlationHeader(input: HostileInput): Record<string, string> {
  return input.correlationIdLength === undefined ? {} : { 'x-correlation-id': 'c'.repeat(input.correlationIdLength) };
}

function sampleJson(file: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(sampleBytes(file))) as Record<string, unknown>;
}

function buildFhir(input: HostileInput, context: BuildContext): Delivery {
  const markerPrefix = markerPrefixOf(input, context);
  const marker = [plain(markerPrefix), ...input.markerSuffix];
  // The resource id is the message identity: shared by a resend, and only FHIR id characters are allowed in it.
  const id = `fz-${context.index}-${'9'.repeat(Math.min(60, hostileLength(input.messageIdSuffix)))}`;
  const subject = { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: context.nhsNumber } };
  const values: HostileText[] = [marker, context.text ?? [plain('Metformin 500mg tablets')]];
  const codings = (system: string, code: string) => [
    { system, code, display: placeholder(1) },
    ...Array.from({ length: input.repetitions }, (_, i) => ({ system: 'https://example.org/codes', code: `R${i}` })),
  ];
  const when = input.instant === undefined ? undefined : isoInstant(input.instant);
  let resource: Record<string, unknown>;
  let eventType: Expectation['eventType'];
  let views: ViewPlacement[];
  if (input.kind === 'fhir-medication' || input.kind === 'fhir-bundle') {
    const sample = sampleJson('fhir/medicationrequest_active.json');
    resource = {
      ...sample,
      id,
      identifier: [{ system: 'https://fhir.gp-y99901.example/Id/prescription-order', value: placeholder(0) }],
      medicationCodeableConcept: { coding: codings('https://dmd.nhs.uk', '325278007') },
      subject,
      ...(when === undefined ? {} : { authoredOn: when }),
    };
    eventType = 'MedicationOrdered';
    views = ['gp-medication', 'pharmacy-order'];
  } else if (input.kind === 'fhir-condition') {
    const sample = sampleJson('fhir/condition_confirmed.json');
    resource = {
      ...sample,
      id: placeholder(0),
      code: { coding: codings('http://hl7.org/fhir/sid/icd-10', 'E11.9') },
      subject,
      ...(when === undefined ? {} : { recordedDate: when }),
    };
    eventType = 'DiagnosisRecorded';
    views = ['gp-problem', 'care-plan-ltc'];
  } else {
    const sample = sampleJson('fhir/encounter_finished.json');
    resource = {
      ...sample,
      id: placeholder(0),
      participant: [
        {
          individual: {
            identifier: { system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '9999401' },
            display: placeholder(1),
          },
        },
      ],
      subject,
      period: when === undefined ? sample.period : { start: when, end: when },
    };
    eventType = 'PatientDischarged';
    views = ['gp-discharge', 'care-plan-discharge'];
  }
  const bundle = input.kind === 'fhir-bundle';
  const body = bundle
    ? {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource, request: { method: 'PUT', url: `MedicationRequest/${id}` } }],
      }
    : resource;
  const path = bundle ? '/fhir' : `/fhir/${String(resource.resourceType)}`;
  const markerText = intendedText(marker, 'other');
  return {
    channel: 'http',
    label: `${input.kind}${context.variant === 'b' ? ' (resent changed)' : ''}`,
    path,
    body: jsonBytes(body, values),
    headers: { 'content-type': 'application/fhir+json', ...correlationHeader(input) },
    expect: {
      nhsNumber: context.nhsNumber,
      markerPrefix,
      marker: markerText,
      eventType,
      views,
      ...(context.text === undefined || eventType === 'PatientDischarged'
        ? {}
        : { display: intendedText(context.text, 'other') }),
      ...(input.instant === undefined
        ? {}
        : { occurredAt: realInstant(input.instant), instantSent: isoInstant(input.instant) }),
    },
  };
}

const hostileLength = (value: HostileText) =>
  value.reduce(
    (n, f) => n + (f.kind === 'bytes' ? f.bytes.length : f.kind === 'text' ? f.text.length : f.wire.length),
    0,
  );

function buildJson(input: HostileInput, context: BuildContext): Delivery {
  const markerPrefix = markerPrefixOf(input, context);
  const marker = [plain(markerPrefix), ...input.markerSuffix];
  const key = [plain(`fz-${context.index}-key-`), ...input.messageIdSuffix];
  const values: HostileText[] = [marker, context.text ?? [plain('Furosemide 40mg tablets')], key];
  const when = input.instant === undefined ? undefined : isoInstant(input.instant);
  let body: Record<string, unknown>;
  let eventType: Expectation['eventType'];
  let views: ViewPlacement[];
  if (input.kind === 'json-medication') {
    const sample = sampleJson('json/medication_event.json');
    body = { ...sample, data: { ...(sample.data as object), orderId: placeholder(0), display: placeholder(1) } };
    eventType = 'MedicationOrdered';
    views = ['gp-medication', 'pharmacy-order'];
  } else if (input.kind === 'json-discharge') {
    const sample = sampleJson('json/discharge_event.json');
    const data = { ...(sample.data as object), visitId: placeholder(0), responsibleClinician: placeholder(1) };
    body = { ...sample, data: when === undefined ? data : { ...data, dischargedAt: when } };
    eventType = 'PatientDischarged';
    views = ['gp-discharge', 'care-plan-discharge'];
  } else {
    const sample = sampleJson('json/diagnosis_event.json');
    body = {
      ...sample,
      data: {
        ...(sample.data as object),
        diagnosisId: placeholder(0),
        code: 'E11.9',
        codeSystem: 'ICD-10',
        display: placeholder(1),
      },
    };
    eventType = 'DiagnosisRecorded';
    views = ['gp-problem', 'care-plan-ltc'];
  }
  body = {
    ...body,
    nhsNumber: context.nhsNumber,
    idempotencyKey: placeholder(2),
    ...(when === undefined ? {} : { occurredAt: when }),
  };
  return {
    channel: 'http',
    label: `${input.kind}${context.variant === 'b' ? ' (resent changed)' : ''}`,
    path: '/events',
    body: jsonBytes(body, values),
    headers: { 'content-type': 'application/json', ...correlationHeader(input) },
    expect: {
      nhsNumber: context.nhsNumber,
      markerPrefix,
      marker: intendedText(marker, 'other'),
      eventType,
      views,
      ...(context.text === undefined || eventType === 'PatientDischarged'
        ? {}
        : { display: intendedText(context.text, 'other') }),
      ...(input.instant === undefined
        ? {}
        : { occurredAt: realInstant(input.instant), instantSent: isoInstant(input.instant) }),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Patients
// ---------------------------------------------------------------------------------------

/** Valid NHS numbers of the 999 test range, each once, in order (numbers whose modulus 11 check would be 10 are skipped). */
export function createNhsNumbers(first = 0): { next(): string } {
  let n = first;
  return {
    next() {
      for (;;) {
        const nine = `999${String(n % 1_000_000).padStart(6, '0')}`;
        n += 1;
        const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
        const check = 11 - (sum % 11);
        if (check !== 10) return `${nine}${check === 11 ? 0 : check}`;
      }
    },
  };
}
