/**
 * JSON ingest: a canonical event submitted by a client in the neutral vocabulary, validated
 * by the JSON Schema (ajv), its NHS number checked, and mapped to one event draft whose
 * identity is the client's Idempotency-Key. Pure (the compiled validator is built once).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { jsonDedupKey } from '../../core/eventIdentity.js';
import { jsonPointerOf, jsonTextLeaves, locateText } from '../../core/locateText.js';
import { describeNhsNumberError, parseNhsNumber } from '../../core/nhsNumber.js';
import { err, ok, type Result } from '../../core/result.js';
import { findUnstorableCharacter, parseIsoInstant } from '../../core/valueDomain.js';
import { type EventDraft, findValueViolation, type MappedFacts, rejectValueViolation } from '../eventDraft.js';
import type { InboundMessage } from '../ingest/inboundMessage.js';
import type { Interpretation } from '../ingest/ingestService.js';
import { jsonContentHash, parseCanonicalJson } from '../ingest/sourceContent.js';
import type { Rejection, RejectionKind } from '../rejection.js';
import {
  type JsonEventType,
  jsonClinicalStatuses,
  jsonCodeSystems,
  jsonSubmissionSchema,
  jsonVerificationStatuses,
} from './jsonEventSchema.js';

const validate = new Ajv({ allErrors: false, strict: false }).compile(jsonSubmissionSchema);

type Submission = {
  readonly type: JsonEventType;
  readonly nhsNumber: string;
  readonly occurredAt: string;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  readonly localIdentifiers?: readonly { authority: string; value: string; identifierType?: string | null }[];
  readonly data: Readonly<Record<string, unknown>>;
};

/** HTTP status of each rejection on this channel (problem+json bodies carry the detail). */
export const jsonAnswers = {
  unparseable: 400,
  'unsupported-message-type': 400,
  'unsupported-version': 400,
  'invalid-structure': 400,
  'cardinality-violated': 400,
  'segment-missing': 400,
  'required-field-missing': 400,
  'invalid-value': 400,
  'invalid-nhs-number': 422,
  'unknown-code-system': 422,
  'unresolvable-correction': 422,
  'unsupported-order-control': 422,
  'identity-conflict': 422,
  // A reused Idempotency-Key with another body, as the IETF Idempotency-Key draft answers it.
  'reused-identifier': 422,
} as const satisfies Record<RejectionKind, 400 | 422>;

function rejectionOf(error: ErrorObject): Rejection {
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
    return {
      kind: 'required-field-missing',
      location: `${error.instancePath}/${missing}`,
      reason: `${missing} is required`,
    };
  }
  if (error.instancePath === '/type') {
    return {
      kind: 'unsupported-message-type',
      location: '/type',
      reason: 'type is not one of the canonical event types',
    };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    return {
      kind: 'invalid-structure',
      location: `${error.instancePath}/${extra}`,
      reason: `${extra} is not a field of this event type`,
    };
  }
  return {
    kind: 'invalid-structure',
    location: error.instancePath || '/',
    reason: `${error.instancePath || 'body'} ${error.message ?? 'is invalid'}`,
  };
}

const orNull = <T>(value: unknown): T | null => (value === undefined ? null : (value as T | null));

/** The instant fields of a submission, by JSON pointer. */
const INSTANT_FIELDS = [
  '/occurredAt',
  '/data/admittedAt',
  '/data/dischargedAt',
  '/data/cancelledDischargeAt',
  '/data/startAt',
  '/data/stopAt',
] as const;
type InstantField = (typeof INSTANT_FIELDS)[number];
type Instants = ReadonlyMap<InstantField, Date>;

/**
 * Every instant the submission sent, read strictly (core/valueDomain.ts): a day that does not
 * exist (2026-02-31) or an instant outside the clinical window is refused at its pointer, never
 * rolled over as `new Date` would.
 */
function readInstants(submission: Submission): Result<Instants, Rejection> {
  const instants = new Map<InstantField, Date>();
  for (const pointer of INSTANT_FIELDS) {
    const value = pointer === '/occurredAt' ? submission.occurredAt : submission.data[pointer.slice('/data/'.length)];
    if (typeof value !== 'string') continue;
    const parsed = parseIsoInstant(value, { field: pointer.slice(pointer.lastIndexOf('/') + 1), location: pointer });
    if (!parsed.ok) return err(rejectValueViolation(parsed.error, pointer));
    instants.set(pointer, parsed.value);
  }
  return ok(instants);
}

function draftOf(submission: Submission, dedupKey: ReturnType<typeof jsonDedupKey>, instants: Instants): EventDraft {
  const d = submission.data;
  const at = (field: InstantField): Date | null => instants.get(field) ?? null;
  // Required instants are present: the schema says so, and readInstants read each one sent.
  const required = (field: InstantField): Date => instants.get(field) ?? new Date(Number.NaN);
  const base = { occurredAt: required('/occurredAt'), place: 'event', dedupKey } as const;
  const str = (k: string) => orNull<string>(d[k]);
  const medication = () =>
    d.code === undefined || d.code === null
      ? null
      : {
          code: String(d.code),
          codeSystem: 'DMD' as const,
          display: str('display'),
          dose: str('dose'),
          doseUnit: str('doseUnit'),
          route: str('route'),
          frequency: str('frequency'),
          dosageText: str('dosageText'),
        };
  const diagnosis = () => ({
    diagnosisId: String(d.diagnosisId),
    code: String(d.code),
    codeSystem: jsonCodeSystems[d.codeSystem as 'SNOMED-CT' | 'ICD-10'],
    display: str('display'),
    codings: [],
    clinicalStatus:
      d.clinicalStatus == null ? null : jsonClinicalStatuses[d.clinicalStatus as keyof typeof jsonClinicalStatuses],
    verificationStatus:
      d.verificationStatus == null
        ? null
        : jsonVerificationStatuses[d.verificationStatus as keyof typeof jsonVerificationStatuses],
    onset: str('onset'),
    recorder: str('recorder'),
    encounterId: str('encounterId'),
  });
  const orderIds = () => ({
    orderId: String(d.orderId),
    placerNamespace: str('placerNamespace'),
    fillerOrderId: str('fillerOrderId'),
  });
  switch (submission.type) {
    case 'PatientDischarged':
      return {
        ...base,
        type: 'PatientDischarged',
        visitId: String(d.visitId),
        admittedAt: at('/data/admittedAt'),
        dischargedAt: required('/data/dischargedAt'),
        dischargeMethod: str('dischargeMethod'),
        dischargeDestination: str('dischargeDestination'),
        organisation: str('organisation'),
        responsibleClinician: str('responsibleClinician'),
        encounterClass: str('encounterClass'),
      };
    case 'DischargeCancelled':
      return {
        ...base,
        type: 'DischargeCancelled',
        visitId: String(d.visitId),
        cancelledDischargeAt: at('/data/cancelledDischargeAt'),
        reason: str('reason'),
      };
    case 'DiagnosisRecorded':
      return { ...base, type: 'DiagnosisRecorded', ...diagnosis() };
    case 'DiagnosisAmended':
      return { ...base, type: 'DiagnosisAmended', ...diagnosis() };
    case 'DiagnosisRetracted':
      return {
        ...base,
        type: 'DiagnosisRetracted',
        diagnosisId: String(d.diagnosisId),
        code: str('code'),
        codeSystem: d.codeSystem == null ? null : jsonCodeSystems[d.codeSystem as 'SNOMED-CT' | 'ICD-10'],
        display: str('display'),
        reason: str('reason'),
        encounterId: str('encounterId'),
      };
    case 'MedicationOrdered':
      return {
        ...base,
        type: 'MedicationOrdered',
        ...orderIds(),
        medication: medication() ?? {
          code: String(d.code),
          codeSystem: 'DMD',
          display: null,
          dose: null,
          doseUnit: null,
          route: null,
          frequency: null,
          dosageText: null,
        },
        startAt: at('/data/startAt'),
        stopAt: at('/data/stopAt'),
        prescriber: str('prescriber'),
        reason: str('reason'),
        encounterId: str('encounterId'),
      };
    case 'MedicationOrderCancelled':
      return {
        ...base,
        type: 'MedicationOrderCancelled',
        ...orderIds(),
        medication: medication(),
        prescriber: str('prescriber'),
        reason: str('reason'),
      };
    case 'MedicationOrderDiscontinued':
      return {
        ...base,
        type: 'MedicationOrderDiscontinued',
        ...orderIds(),
        medication: medication(),
        prescriber: str('prescriber'),
        reason: str('reason'),
      };
  }
}

/** `message.messageId` carries the Idempotency-Key header, when the client sent one. */
export function mapJsonSubmission(
  message: Pick<InboundMessage, 'payload' | 'messageId' | 'receiptId'>,
  system: string,
): Result<MappedFacts, Rejection> {
  let text: string;
  try {
    text = strictUtf8.decode(message.payload);
  } catch {
    return err({ kind: 'unparseable', location: '/', reason: 'the body is not valid UTF-8 (RFC 8259 requires UTF-8)' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return err({ kind: 'unparseable', location: '/', reason: 'the body is not JSON' });
  }
  const unicode = notUnicodeText(body);
  if (unicode !== undefined) return err(unicode);
  if (!validate(body)) {
    const [first] = validate.errors ?? [];
    return err(
      first === undefined ? { kind: 'invalid-structure', location: '/', reason: 'invalid body' } : rejectionOf(first),
    );
  }
  const submission = body as unknown as Submission;
  const key = submission.idempotencyKey ?? message.messageId ?? undefined;
  if (key === undefined) {
    return err({
      kind: 'required-field-missing',
      location: '/idempotencyKey',
      reason: 'an Idempotency-Key header (or idempotencyKey) is required',
    });
  }
  if (
    submission.idempotencyKey !== undefined &&
    message.messageId !== null &&
    message.messageId !== submission.idempotencyKey
  ) {
    return err({
      kind: 'invalid-value',
      location: '/idempotencyKey',
      reason: 'idempotencyKey differs from the Idempotency-Key header',
    });
  }
  const nhs = parseNhsNumber(submission.nhsNumber);
  if (!nhs.ok)
    return err({ kind: 'invalid-nhs-number', location: '/nhsNumber', reason: describeNhsNumberError(nhs.error) });
  const instants = readInstants(submission);
  if (!instants.ok) return instants;
  const facts: MappedFacts = {
    patient: {
      nhsNumber: nhs.value,
      nhsNumberVerificationStatus: null,
      localIdentifiers: (submission.localIdentifiers ?? []).map((l) => ({
        authority: l.authority,
        value: l.value,
        identifierType: l.identifierType ?? null,
      })),
    },
    source: {
      channel: 'JSON',
      system,
      facility: null,
      messageType: submission.type,
      messageId: key,
      messageVersion: null,
      receiptId: message.receiptId,
    },
    drafts: [draftOf(submission, jsonDedupKey(key), instants.value)],
  };
  // Every value on the event is checked before anything is published; the pointer names where it was sent.
  const found = findValueViolation(facts);
  if (found === undefined) return ok(facts);
  const steps = locateText(jsonTextLeaves(body), found);
  // A value found nowhere in the body came from the Idempotency-Key header (the message id and dedup key).
  const fallback = submission.idempotencyKey === undefined ? '/headers/idempotency-key' : '/idempotencyKey';
  const location = steps === undefined ? fallback : jsonPointerOf(steps);
  return err(rejectValueViolation(found.violation, location));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Text no field may hold, checked across the whole body first: a lone surrogate (`"\ud800"` is
 * valid JSON but not Unicode; UTF-8 would turn it into U+FFFD) and NUL.
 */
function notUnicodeText(body: unknown): Rejection | undefined {
  for (const leaf of jsonTextLeaves(body)) {
    const error = findUnstorableCharacter(leaf.text, { field: 'text', location: '' });
    if (error === undefined) continue;
    const location = jsonPointerOf(leaf.position);
    return rejectValueViolation({ ...error, field: location }, location);
  }
  return undefined;
}

export function interpretJsonEvent(message: InboundMessage): Interpretation {
  const mapped = mapJsonSubmission(message, 'json-api');
  if (!mapped.ok) return { kind: 'rejected', rejection: mapped.error };
  // The body a reuse of its Idempotency-Key must repeat, in canonical form (producers/ingest/sourceContent.ts).
  const body = parseCanonicalJson(Buffer.from(message.payload).toString('utf8'));
  const content = { hash: jsonContentHash(body), location: '/idempotencyKey' };
  return { kind: 'facts', units: [{ ...mapped.value, content }], atomic: true };
}
