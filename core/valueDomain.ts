/**
 * The value domain every channel enforces before anything is published: which characters a text
 * field may hold, how long each kind of field may be, and which instants exist. One table
 * (`textLimits`, `eventFieldKinds`, `CLINICAL_WINDOW`) is the authority; docs, JSON Schemas and
 * tests read it. Pure and total: every check returns a value.
 *
 * Decisions, and why:
 * - Lone UTF-16 surrogates are refused everywhere: UTF-8 (Avro, PostgreSQL) cannot hold them,
 *   so they would be turned into U+FFFD on the way out, a silent change.
 * - NUL is refused everywhere: PostgreSQL text cannot hold it (22P05), so a view would
 *   dead-letter an event the sender was told was accepted.
 * - Other C0 controls (U+0001–U+001F) and DEL are refused, except TAB, LF and CR in free text.
 *   C1 controls (U+0080–U+009F) are refused too: no clinical text contains them, and where they
 *   appear they are a charset mistake (Windows-1252 read as ISO 8859-1).
 * - Unicode noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF) are refused: they are reserved
 *   for a process's internal use and must not be interchanged.
 * - U+FFFD itself is accepted: a sender may have stored it already, and it is valid text.
 * - Lengths are counted in code points. Every indexed field's longest UTF-8 form (4 bytes per
 *   code point) stays well under PostgreSQL's btree row limit (2,704 bytes).
 */
import { calendarInstant } from './calendarInstant.js';
import { err, ok, type Result } from './result.js';

/** What a text field holds, which decides its length and the controls it allows. */
export type TextKind = 'identifier' | 'correlationId' | 'dedupKey' | 'code' | 'uri' | 'display' | 'freeText';

export type TextLimit = {
  /** Maximum length in Unicode code points. */
  readonly maxLength: number;
  /** True when TAB, LF and CR are allowed (free text); every other control character never is. */
  readonly lineBreaks: boolean;
  /**
   * True when PostgreSQL indexes the value (btree): `maxLength` × 4 bytes (1 byte for the ASCII
   * dedup key) stays well under the 2,704-byte row limit.
   */
  readonly indexed: boolean;
  /** For the docs: what the kind covers. */
  readonly covers: string;
};

export const textLimits = {
  identifier: {
    maxLength: 200,
    lineBreaks: false,
    indexed: true,
    covers:
      'control ids (MSH-10), FHIR ids, Idempotency-Keys, order, visit, diagnosis and encounter numbers, local patient ids and their authorities, sending system and facility',
  },
  correlationId: {
    maxLength: 200,
    lineBreaks: false,
    indexed: true,
    covers: 'correlation ids (X-Correlation-Id, JSON correlationId), indexed by the audit index',
  },
  dedupKey: {
    maxLength: 1000,
    lineBreaks: false,
    indexed: true,
    covers: 'the dedup key (ASCII: each identifier in it is percent-encoded), the ingest ledger primary key',
  },
  code: {
    maxLength: 100,
    lineBreaks: false,
    indexed: false,
    covers: 'codes (SNOMED CT, ICD-10, dm+d), statuses, message types and versions, doses and units',
  },
  uri: { maxLength: 500, lineBreaks: false, indexed: false, covers: 'code system URIs of codings' },
  display: {
    maxLength: 1000,
    lineBreaks: false,
    indexed: false,
    covers: 'one-line texts: displays, clinician and organisation names, routes, frequencies',
  },
  freeText: {
    maxLength: 4000,
    lineBreaks: true,
    indexed: false,
    covers: 'free text: reasons, dosage instructions (TAB, LF and CR allowed)',
  },
} as const satisfies Record<TextKind, TextLimit>;

/** The maximum length of a correlation id in code points (the X-Correlation-Id header and JSON `correlationId`). */
export const CORRELATION_ID_MAX_LENGTH = textLimits.correlationId.maxLength;

/** The maximum length of an identifier (control id, FHIR id, Idempotency-Key, order number …) in code points. */
export const IDENTIFIER_MAX_LENGTH = textLimits.identifier.maxLength;

/**
 * Every text field of a canonical event (path from the event's root, array positions left out)
 * and its kind; `instant` for the timestamp fields. A schema test checks that every string and
 * timestamp field of the Avro events is listed here.
 */
export const eventFieldKinds = {
  eventId: 'identifier',
  dedupKey: 'dedupKey',
  occurredAt: 'instant',
  recordedAt: 'instant',
  correlationId: 'correlationId',
  causationId: 'identifier',
  'patient.nhsNumber': 'code',
  'patient.nhsNumberVerificationStatus': 'code',
  'patient.localIdentifiers.authority': 'identifier',
  'patient.localIdentifiers.value': 'identifier',
  'patient.localIdentifiers.identifierType': 'code',
  'source.system': 'identifier',
  'source.facility': 'identifier',
  'source.messageType': 'code',
  'source.messageId': 'identifier',
  'source.messageVersion': 'code',
  'source.place': 'identifier',
  'source.receiptId': 'identifier',
  visitId: 'identifier',
  admittedAt: 'instant',
  dischargedAt: 'instant',
  dischargeMethod: 'code',
  dischargeDestination: 'code',
  organisation: 'display',
  responsibleClinician: 'display',
  encounterClass: 'code',
  cancelledDischargeAt: 'instant',
  reason: 'freeText',
  diagnosisId: 'identifier',
  code: 'code',
  display: 'display',
  'codings.system': 'uri',
  'codings.code': 'code',
  'codings.display': 'display',
  onset: 'display',
  recorder: 'display',
  encounterId: 'identifier',
  orderId: 'identifier',
  placerNamespace: 'identifier',
  fillerOrderId: 'identifier',
  'medication.code': 'code',
  'medication.display': 'display',
  'medication.dose': 'code',
  'medication.doseUnit': 'display',
  'medication.route': 'display',
  'medication.frequency': 'display',
  'medication.dosageText': 'freeText',
  startAt: 'instant',
  stopAt: 'instant',
  prescriber: 'display',
} as const satisfies Record<string, TextKind | 'instant'>;

export type EventField = keyof typeof eventFieldKinds;

/**
 * The instants every view, the care-plan arithmetic (a due date is an instant plus an interval
 * of at most a few years) and PostgreSQL `timestamptz` can hold, inclusive at both ends.
 */
export const CLINICAL_WINDOW = {
  from: new Date(Date.UTC(1900, 0, 1, 0, 0, 0, 0)),
  to: new Date(Date.UTC(2100, 11, 31, 23, 59, 59, 999)),
} as const;

/** One broken rule. `field` names the field; `location` is where it is, in the caller's terms. */
export type ValueViolation =
  | {
      readonly kind: 'control-character';
      readonly field: string;
      readonly location: string;
      /** The code point, e.g. 0 for NUL; `index` is its position in code points. */
      readonly codePoint: number;
      readonly index: number;
    }
  | {
      readonly kind: 'lone-surrogate' | 'noncharacter';
      readonly field: string;
      readonly location: string;
      readonly codePoint: number;
      readonly index: number;
    }
  | {
      readonly kind: 'too-long';
      readonly field: string;
      readonly location: string;
      readonly length: number;
      readonly maxLength: number;
    }
  | { readonly kind: 'not-a-calendar-instant'; readonly field: string; readonly location: string }
  | { readonly kind: 'instant-out-of-window'; readonly field: string; readonly location: string };

export type ValueViolationKind = ValueViolation['kind'];

/** Where a value is, for the violation: its field name and its location in the caller's terms. */
export type FieldAt = { readonly field: string; readonly location: string };

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isControl(codePoint: number, lineBreaks: boolean): boolean {
  if (lineBreaks && (codePoint === TAB || codePoint === LF || codePoint === CR)) return false;
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

const isNoncharacter = (codePoint: number): boolean =>
  (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;

/** Checks one text value of a kind; the value comes back unchanged when it is in the domain. */
export function checkText(value: string, kind: TextKind, at: FieldAt): Result<string, ValueViolation> {
  const limit: TextLimit = textLimits[kind];
  let index = 0;
  let i = 0;
  while (i < value.length) {
    const unit = value.charCodeAt(i);
    let codePoint = unit;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        return err({ kind: 'lone-surrogate', ...at, codePoint: unit, index });
      }
      codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      i += 2;
    } else {
      i += 1;
    }
    if (isControl(codePoint, limit.lineBreaks)) return err({ kind: 'control-character', ...at, codePoint, index });
    if (isNoncharacter(codePoint)) return err({ kind: 'noncharacter', ...at, codePoint, index });
    index += 1;
  }
  if (index > limit.maxLength) return err({ kind: 'too-long', ...at, length: index, maxLength: limit.maxLength });
  return ok(value);
}

/**
 * The first character no text anywhere may hold, whatever else the text holds: a lone UTF-16
 * surrogate (valid in JSON's `\ud800` escape, but not Unicode: UTF-8 would store U+FFFD) or NUL
 * (PostgreSQL text cannot hold it). Undefined when there is none. `checkText` reports the first
 * violation of any rule, so a control character before a surrogate would hide it; channels
 * that must refuse these before reading anything use this.
 */
export function findUnstorableCharacter(value: string, at: FieldAt): ValueViolation | undefined {
  let index = 0;
  for (let i = 0; i < value.length; i += 1, index += 1) {
    const unit = value.charCodeAt(i);
    if (unit === 0) return { kind: 'control-character', ...at, codePoint: 0, index };
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = value.charCodeAt(i + 1);
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
      return { kind: 'lone-surrogate', ...at, codePoint: unit, index };
    i += 1; // the pair's low half
  }
  return undefined;
}

/** Checks that an instant is a real one inside `CLINICAL_WINDOW`. */
export function checkInstant(value: Date, at: FieldAt): Result<Date, ValueViolation> {
  const millis = value.getTime();
  if (!Number.isFinite(millis)) return err({ kind: 'not-a-calendar-instant', ...at });
  if (millis < CLINICAL_WINDOW.from.getTime() || millis > CLINICAL_WINDOW.to.getTime()) {
    return err({ kind: 'instant-out-of-window', ...at });
  }
  return ok(value);
}

// YYYY-MM-DDThh:mm[:ss[.f…]](Z|±hh:mm), as the JSON channel's schema describes an instant.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Reads an RFC 3339 date-time strictly: the date must exist (never rolled over, so 2026-02-31 is
 * refused), hours 00–23, minutes and seconds 00–59 (a leap second cannot be held by a Date and
 * is refused), an offset up to ±14:00; then the instant must be inside `CLINICAL_WINDOW`.
 * Digits beyond milliseconds are cut, never rounded.
 */
export function parseIsoInstant(text: string, at: FieldAt): Result<Date, ValueViolation> {
  const match = RFC3339.exec(text);
  if (match === null) return err({ kind: 'not-a-calendar-instant', ...at });
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '0', fraction = '', zone = 'Z'] = match;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetMins > 59 || offsetHours > 14 || (offsetHours === 14 && offsetMins > 0)) {
      return err({ kind: 'not-a-calendar-instant', ...at });
    }
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const instant = calendarInstant(
    {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      millisecond: Number(fraction.padEnd(3, '0').slice(0, 3)),
    },
    offsetMinutes,
  );
  return instant === undefined ? err({ kind: 'not-a-calendar-instant', ...at }) : checkInstant(instant, at);
}

/** `U+0000` style, for reasons. */
export const codePointName = (codePoint: number): string =>
  `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong, for the sender's developers: names the field and the rule, never the value. */
export function describeViolation(violation: ValueViolation): string {
  const where = violation.location === violation.field ? violation.field : `${violation.location} (${violation.field})`;
  switch (violation.kind) {
    case 'control-character':
      return `${where} contains the control character ${codePointName(violation.codePoint)} at character ${violation.index + 1}; this field allows ${violation.codePoint === 0 ? 'no NUL characters' : 'no control characters other than TAB, LF and CR in free text'}`;
    case 'lone-surrogate':
      return `${where} contains a lone UTF-16 surrogate (${codePointName(violation.codePoint)}) at character ${violation.index + 1}, which is not Unicode text`;
    case 'noncharacter':
      return `${where} contains the Unicode noncharacter ${codePointName(violation.codePoint)} at character ${violation.index + 1}`;
    case 'too-long':
      return `${where} is ${violation.length} characters long; at most ${violation.maxLength} are accepted`;
    case 'not-a-calendar-instant':
      return `${where} is not a real calendar date and time (a day or time that does not exist is never rolled over)`;
    case 'instant-out-of-window':
      return `${where} is outside the accepted clinical window ${CLINICAL_WINDOW.from.toISOString()} to ${CLINICAL_WINDOW.to.toISOString()}`;
  }
}

/** A violation found in a structured value, with the offending text so a channel can locate it in its input. */
export type FoundViolation = {
  readonly violation: ValueViolation;
  /** The offending text as mapped (never for logs or reasons), or undefined for an instant. */
  readonly value: string | undefined;
};

/**
 * Checks every text and instant field of an event-shaped value (a draft or a complete event)
 * against `eventFieldKinds`; the first violation comes back with the field's path as both field
 * and location. A string field the table does not list is held to the strictest display rules,
 * so nothing is unchecked.
 */
export function checkEventValues(event: unknown, prefix = ''): FoundViolation | undefined {
  return walk(event, prefix);
}

function walk(value: unknown, path: string): FoundViolation | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const kind = kindOf(path);
    const checked = kind === 'instant' ? checkText(value, 'display', at(path)) : checkText(value, kind, at(path));
    return checked.ok ? undefined : { violation: checked.error, value };
  }
  if (value instanceof Date) {
    const checked = checkInstant(value, at(path));
    return checked.ok ? undefined : { violation: checked.error, value: undefined };
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = walk(item, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = walk(item, path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const at = (path: string): FieldAt => ({ field: path, location: path });

function kindOf(path: string): TextKind | 'instant' {
  const kinds: Readonly<Record<string, TextKind | 'instant'>> = eventFieldKinds;
  return kinds[path] ?? 'display';
}
