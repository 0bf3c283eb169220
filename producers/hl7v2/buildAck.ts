/**
 * The original-mode HL7 v2 ACK for one inbound message: MSH + MSA (+ ERR when rejected or
 * unavailable), written with the request's own delimiters and CR after every segment, to be
 * sent as UTF-8 (plain ASCII unless an echoed value is not). Pure: the clock and our control id
 * arrive as options.
 */
import { assertNever } from '../../core/result.js';
import type { Rejection, RejectionKind } from '../rejection.js';
import { encodingCharactersText, type Hl7EncodingCharacters, parseHl7Path } from './hl7Message.js';
import type { Hl7Header } from './readHl7Header.js';
import { escapeHl7 } from './serializeHl7.js';

/**
 * What to tell the sender. `parked.on` says what the message waits for (e.g. "the RXX MRN"), for
 * the sender's staff: a description, not an identifier value. `unavailable`: the log could not
 * store the message right now, so the sender should resend it.
 */
export type AckAnswer =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'parked'; readonly on: string }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'rejected'; readonly rejection: Rejection }
  | { readonly kind: 'unavailable'; readonly reason: string }
  /**
   * Not from a declared sender (MLLP_SENDERS_FILE), or claiming an MSH-3/MSH-4 its sender may not:
   * nothing read past the MSH, nothing stored; a resend fails the same way. `location` names the
   * claim refused ('' when the connection itself is not a declared sender).
   */
  | { readonly kind: 'refused-sender'; readonly location: '' | 'MSH-3' | 'MSH-4'; readonly reason: string };

/** HL7 table 0008, original mode. */
export type AckCode = 'AA' | 'AE' | 'AR';

/** The HL7 table 0357 codes this system sends. */
export type Hl7ErrorCode = '100' | '101' | '102' | '103' | '200' | '201' | '203' | '204' | '205' | '207';

/** HL7 table 0516. */
export type ErrorSeverity = 'E' | 'W' | 'I';

/**
 * AE: the content is wrong, and resending it unchanged will fail again. AR: not the content
 * (a message type, version or state of this system), so the sender decides whether to resend.
 */
export type AckRule = {
  readonly ack: 'AE' | 'AR';
  readonly hl7ErrorCode: Hl7ErrorCode;
  readonly severity: ErrorSeverity;
};

export const ackRules = {
  unparseable: { ack: 'AR', hl7ErrorCode: '102', severity: 'E' },
  'unsupported-message-type': { ack: 'AR', hl7ErrorCode: '200', severity: 'E' },
  'unsupported-version': { ack: 'AR', hl7ErrorCode: '203', severity: 'E' },
  'invalid-structure': { ack: 'AE', hl7ErrorCode: '102', severity: 'E' },
  'cardinality-violated': { ack: 'AE', hl7ErrorCode: '101', severity: 'E' },
  'segment-missing': { ack: 'AE', hl7ErrorCode: '100', severity: 'E' },
  'required-field-missing': { ack: 'AE', hl7ErrorCode: '101', severity: 'E' },
  'invalid-value': { ack: 'AE', hl7ErrorCode: '102', severity: 'E' },
  'invalid-nhs-number': { ack: 'AE', hl7ErrorCode: '102', severity: 'E' },
  'unknown-code-system': { ack: 'AE', hl7ErrorCode: '103', severity: 'E' },
  // The correction names no diagnosis (no DG1-20): its key cannot be found.
  'unresolvable-correction': { ack: 'AE', hl7ErrorCode: '204', severity: 'E' },
  'unsupported-order-control': { ack: 'AE', hl7ErrorCode: '103', severity: 'E' },
  // The identifiers cannot name one known patient; the source must fix or merge the record.
  'identity-conflict': { ack: 'AE', hl7ErrorCode: '204', severity: 'E' },
  // The control id was accepted before with other content: resending this will fail again.
  'reused-identifier': { ack: 'AE', hl7ErrorCode: '205', severity: 'E' },
} as const satisfies Record<RejectionKind, AckRule>;

/** The answer when the log is down: transient, so AR (never AA: nothing was stored). */
export const unavailableRule = { ack: 'AR', hl7ErrorCode: '207', severity: 'E' } as const satisfies AckRule;

/**
 * The answer to an undeclared sender: AR (not the content) with 0357 204 "Unknown key identifier"
 * (the sender's identity is the key we do not know) and ERR-5 `undeclared-sender`; the texts say
 * not to resend. 207 would tell the sender's engine to retry for ever.
 */
export const refusedSenderRule = { ack: 'AR', hl7ErrorCode: '204', severity: 'E' } as const satisfies AckRule;
export const REFUSED_SENDER_TEXT = 'not a declared sender: do not resend, ask the receiving team';

/** HL7 table 0357 texts, as ERR-3.2 and the ELD code text. */
export const hl7ErrorTexts = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '207': 'Application internal error',
} as const satisfies Record<Hl7ErrorCode, string>;

const DEFAULT_ENCODING: Hl7EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};
const OUR_APPLICATION = 'CEL';
const DEFAULT_VERSION = '2.5.1';
const DEFAULT_PROCESSING_ID = 'P';
const UTF8_CHARSET = 'UNICODE UTF-8';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is every character that is not 7-bit ASCII
const NON_ASCII = /[^\x00-\x7f]/;
/** MSA-3 is an ST of 80 in 2.5; ERR-8 a TX of 250. Longer text is cut, not rejected by strict receivers. */
const MSA_TEXT_MAX = 80;
const USER_MESSAGE_MAX = 250;

type AckContent = {
  readonly code: AckCode;
  readonly text: string;
  readonly error?: {
    readonly rule: AckRule;
    readonly location: string;
    readonly reason: string;
    readonly appCode: string;
  };
};

function contentOf(answer: AckAnswer): AckContent {
  switch (answer.kind) {
    case 'accepted':
      return { code: 'AA', text: '' };
    case 'duplicate':
      return { code: 'AA', text: 'duplicate of an accepted message; nothing new stored' };
    case 'parked':
      return { code: 'AA', text: `held until the patient can be identified: ${answer.on}` };
    case 'ignored':
      return { code: 'AA', text: 'not mapped by this system; kept as received only' };
    case 'rejected': {
      const { rejection } = answer;
      const rule = ackRules[rejection.kind];
      return {
        code: rule.ack,
        text: rejection.reason,
        error: { rule, location: rejection.location, reason: rejection.reason, appCode: rejection.kind },
      };
    }
    case 'unavailable':
      return {
        code: unavailableRule.ack,
        text: 'not stored: the event log is unavailable; resend this message',
        error: { rule: unavailableRule, location: '', reason: answer.reason, appCode: 'unavailable' },
      };
    case 'refused-sender':
      return {
        code: refusedSenderRule.ack,
        text: REFUSED_SENDER_TEXT,
        error: {
          rule: refusedSenderRule,
          location: answer.location,
          reason: `${REFUSED_SENDER_TEXT} (${answer.reason})`,
          appCode: 'undeclared-sender',
        },
      };
    default:
      return assertNever(answer, 'ACK answer');
  }
}

/** `YYYYMMDDHHMMSS+0000`, in UTC. */
function hl7Instant(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace(/[-T:]/g, '')}+0000`;
}

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/**
 * ERR-2 (ERL) of a rejection location such as `PID-3`, `DG1[2]-3` or `PID`: segment id, occurrence
 * and field; with field repetition, component and subcomponent too when the location names a
 * leaf inside the field (`RXO-1.2`, `PID-3[2].1`).
 */
function errorLocation(location: string): readonly string[] | undefined {
  const path = parseHl7Path(location);
  if (path.ok) {
    const { segment, occurrence, field, repetition, component, subcomponent } = path.value;
    const where = [segment, String(occurrence), String(field)];
    const insideField = location.slice(location.indexOf('-'));
    if (!/[[.]/.test(insideField)) return where;
    return [...where, String(repetition), String(component), String(subcomponent)];
  }
  const segmentOnly = /^([A-Z][A-Z0-9]{2})(?:\[([1-9]\d{0,5})\])?$/.exec(location);
  if (segmentOnly === null) return undefined;
  return [segmentOnly[1] ?? '', segmentOnly[2] ?? '1'];
}

/** ERR-2 … ERR-12 arrived in 2.5; 2.3 and 2.4 receivers read ERR-1 (ELD). */
function usesErrorLocationFields(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return !(major === 2 && minor !== undefined && minor < 5);
}

export function buildAck(
  request: Hl7Header | undefined,
  answer: AckAnswer,
  options: { readonly controlId: string; readonly now: Date },
): string {
  const encoding = request?.encoding ?? DEFAULT_ENCODING;
  const { field: f, component: c, subcomponent: s } = encoding;
  const escaped = (value: string): string => escapeHl7(value, encoding);
  const version = request?.version.trim() || DEFAULT_VERSION;
  const content = contentOf(answer);

  const msh = [
    'MSH',
    encodingCharactersText(encoding),
    escaped(request?.receivingApplication.trim() || OUR_APPLICATION),
    escaped(request?.receivingFacility.trim() ?? ''),
    escaped(request?.sendingApplication ?? ''),
    escaped(request?.sendingFacility ?? ''),
    hl7Instant(options.now),
    '',
    ['ACK', escaped(request?.triggerEvent.trim() ?? ''), 'ACK'].join(c),
    escaped(options.controlId),
    escaped(request?.processingId.trim() || DEFAULT_PROCESSING_ID),
    escaped(version),
  ];
  const msa = ['MSA', content.code, escaped(request?.controlId ?? '')];
  if (content.text !== '') msa.push(escaped(cut(content.text, MSA_TEXT_MAX)));
  const segments = [msh, msa];

  if (content.error !== undefined) {
    const { rule, location, reason, appCode } = content.error;
    const where = errorLocation(location)?.map(escaped) ?? [];
    const codeText = hl7ErrorTexts[rule.hl7ErrorCode];
    if (usesErrorLocationFields(version)) {
      segments.push([
        'ERR',
        '',
        where.join(c),
        [rule.hl7ErrorCode, codeText, 'HL70357'].join(c),
        rule.severity,
        escaped(appCode),
        '',
        '',
        escaped(cut(reason, USER_MESSAGE_MAX)),
      ]);
    } else {
      const [segment = '', occurrence = '', position = ''] = where;
      segments.push(['ERR', [segment, occurrence, position, [rule.hl7ErrorCode, codeText, 'HL70357'].join(s)].join(c)]);
    }
  }
  // Echoed names and reasons are usually ASCII; when they are not, MSH-18 says the UTF-8 the caller writes.
  if (segments.some((segment) => segment.some((value) => NON_ASCII.test(value)))) {
    msh.push('', '', '', '', '', UTF8_CHARSET);
  }
  return segments.map((segment) => `${segment.join(f)}\r`).join('');
}
