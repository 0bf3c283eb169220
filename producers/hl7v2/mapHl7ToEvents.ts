/**
 * Maps one parsed HL7 v2 message to the drafts of its canonical events, or says why it is
 * ignored or rejected. The rules, and why they are so, are in MAPPING.md. Pure.
 */
import { type DedupKey, hl7DedupKey } from '../../core/eventIdentity.js';
import { assertNever, err, ok, type Result } from '../../core/result.js';
import type { EventDraft, MappedFacts, MessageSource, PatientIdentifiers } from '../eventDraft.js';
import { quoteInReason, type Rejection } from '../rejection.js';
import { type Hl7Message, segmentsNamed } from './hl7Message.js';
import { lookUpCode } from './lookUpCode.js';
import { mapDiagnoses } from './mapDiagnoses.js';
import { mapDischarge, mapDischargeCancel } from './mapDischarge.js';
import { mapMedicationOrders } from './mapMedicationOrders.js';
import { type Hl7Header, headerOf } from './readHl7Header.js';
import { readPatientIdentifiers } from './readPatientIdentifiers.js';

/**
 * `events`: a supported message; its drafts may be empty (an A08 without DG1), and its patient
 * may have no NHS number (MRN only), which the caller resolves or parks. `ignored`: an ADT
 * trigger this system does not map, answered AA and kept as a raw receipt only; `patient` is
 * there when PID-3 was readable, undefined otherwise.
 */
export type Hl7Mapping =
  | { readonly kind: 'events'; readonly facts: MappedFacts }
  | { readonly kind: 'ignored'; readonly reason: string; readonly patient: PatientIdentifiers | undefined };

/** MSH-12 values taken: NHS England senders use 2.3 to 2.5.1. */
export const supportedHl7Versions = ['2.3', '2.3.1', '2.4', '2.5', '2.5.1'] as const;

type MessageKind = 'discharge' | 'patient-update' | 'discharge-cancel' | 'order' | 'encoded-order';

/** MSH-9.1^MSH-9.2 → what the message means here. ADT^A31 (update person) is read like an A08. */
const mappedMessages = {
  'ADT^A03': 'discharge',
  'ADT^A08': 'patient-update',
  'ADT^A31': 'patient-update',
  'ADT^A13': 'discharge-cancel',
  'ORM^O01': 'order',
  'RDE^O11': 'encoded-order',
  // RDE^O11 arrived in 2.4; 2.3/2.3.1 senders send the same order as RDE^O01.
  'RDE^O01': 'encoded-order',
} as const satisfies Readonly<Record<string, MessageKind>>;

/**
 * ADT triggers not in `mappedMessages` (A01, A04, A28 …) are answered AA and kept as raw receipts:
 * an AR would stop some senders' queues on a message this system does not need.
 */
const IGNORED_MESSAGE_CODE = 'ADT';

export function mapHl7ToEvents(
  message: Hl7Message,
  options: { readonly receiptId: string | null },
): Result<Hl7Mapping, Rejection> {
  const msh = segmentsNamed(message, 'MSH')[0];
  if (msh === undefined) return err({ kind: 'unparseable', location: 'MSH', reason: 'the message has no MSH segment' });
  const header = headerOf(msh, message.encoding);
  const version = header.version.trim();
  if (!supportedHl7Versions.some((supported) => supported === version)) {
    return err({
      kind: 'unsupported-version',
      location: 'MSH-12',
      reason: `HL7 version ${quoteInReason(version)} is not supported; this system takes ${supportedHl7Versions.join(', ')}`,
    });
  }
  const messageType = `${header.messageCode.trim()}^${header.triggerEvent.trim()}`;
  const kind = lookUpCode(mappedMessages, messageType);
  if (kind === undefined) {
    if (header.messageCode.trim() === IGNORED_MESSAGE_CODE) {
      const patient = readPatientIdentifiers(message);
      return ok({
        kind: 'ignored',
        reason: `${quoteInReason(messageType)} is not mapped to a canonical event; kept as a raw receipt only`,
        patient: patient.ok ? patient.value : undefined,
      });
    }
    return err({
      kind: 'unsupported-message-type',
      location: 'MSH-9',
      reason: `unsupported message type ${quoteInReason(messageType)}; this system takes ${Object.keys(mappedMessages).join(', ')} and ignores other ADT triggers`,
    });
  }

  const patient = readPatientIdentifiers(message);
  if (!patient.ok) return patient;
  const keyFor = (place: string) =>
    hl7DedupKey({
      sendingApplication: header.sendingApplication,
      sendingFacility: header.sendingFacility,
      controlId: header.controlId,
      place,
    });
  const drafts = draftsOf(message, kind, keyFor);
  if (!drafts.ok) return drafts;
  return ok({
    kind: 'events',
    facts: {
      patient: patient.value,
      source: messageSource(header, messageType, options.receiptId),
      drafts: drafts.value,
    },
  });
}

function draftsOf(
  message: Hl7Message,
  kind: MessageKind,
  keyFor: (place: string) => DedupKey,
): Result<readonly EventDraft[], Rejection> {
  switch (kind) {
    case 'discharge': {
      const discharge = mapDischarge(message, keyFor);
      if (!discharge.ok) return discharge;
      const diagnoses = mapDiagnoses(message, keyFor);
      if (!diagnoses.ok) return diagnoses;
      return ok([discharge.value, ...diagnoses.value]);
    }
    case 'patient-update':
      // An A08/A31's PV1 is context: it never yields a discharge, even when PV1-45 is filled.
      return mapDiagnoses(message, keyFor);
    case 'discharge-cancel': {
      const cancel = mapDischargeCancel(message, keyFor);
      return cancel.ok ? ok([cancel.value]) : cancel;
    }
    case 'order':
      return mapMedicationOrders(message, 'RXO', keyFor);
    case 'encoded-order':
      return mapMedicationOrders(message, 'RXE', keyFor);
    default:
      return assertNever(kind, 'message kind');
  }
}

function messageSource(header: Hl7Header, messageType: string, receiptId: string | null): MessageSource {
  return {
    channel: 'HL7V2',
    system: header.sendingApplication,
    facility: header.sendingFacility === '' ? null : header.sendingFacility,
    messageType,
    messageId: header.controlId,
    messageVersion: header.version === '' ? null : header.version,
    receiptId,
  };
}
