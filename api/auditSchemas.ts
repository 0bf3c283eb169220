/**
 * JSON Schemas of the audit API: its parameters and responses. fastify serialises with them,
 * so a field leaves the API only if a schema names it (the event itself leaves as `payload`,
 * which is what an auditor asks for). Pure.
 */
import { CORRELATION_ID_MAX_LENGTH, IDENTIFIER_MAX_LENGTH } from '../core/valueDomain.js';
import { clinicalEventTypes } from '../schemas/generated/events.js';
import { AUDIT_PAGE } from './auditQuery.js';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const cursor = { type: 'string', maxLength: 600 } as const;
const limit = { type: 'integer', minimum: 1, maximum: AUDIT_PAGE.max, default: AUDIT_PAGE.default } as const;

export const auditEventsQuery = {
  type: 'object',
  properties: {
    patient: { type: 'string', maxLength: 20 },
    type: { enum: [...clinicalEventTypes] },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    correlationId: { type: 'string', minLength: 1, maxLength: CORRELATION_ID_MAX_LENGTH },
    sourceMessageId: { type: 'string', minLength: 1, maxLength: IDENTIFIER_MAX_LENGTH },
    cursor,
    limit,
  },
  additionalProperties: false,
} as const;

export const pageQuery = {
  type: 'object',
  properties: { cursor, limit },
  additionalProperties: false,
} as const;

export const eventIdParam = {
  type: 'object',
  required: ['eventId'],
  properties: { eventId: { type: 'string', format: 'uuid' } },
} as const;

export const auditEventRow = {
  type: 'object',
  properties: {
    eventId: str,
    type: str,
    nhsNumber: str,
    occurredAt: instant,
    recordedAt: instant,
    correlationId: str,
    source: {
      type: 'object',
      properties: { channel: str, system: str, messageId: str, receiptId: nstr },
    },
    topic: str,
    partition: { type: 'integer' },
    offset: str,
    chainSeq: { type: 'integer' },
    entryHash: str,
    payload: { type: 'object', additionalProperties: true },
  },
} as const;

export const auditEventsPage = {
  type: 'object',
  properties: {
    events: { type: 'array', items: auditEventRow },
    /** The position of the last event returned (or the cursor given, when none was): pass it to continue. */
    cursor: nstr,
  },
} as const;

export const rawReceipt = {
  type: ['object', 'null'],
  properties: {
    receiptId: str,
    receivedAt: instant,
    channel: str,
    remoteAddress: nstr,
    correlationId: str,
    contentType: str,
    messageType: nstr,
    messageId: nstr,
    topic: str,
    partition: { type: 'integer' },
    offset: str,
    /** `utf8` when the bytes are valid UTF-8 (HL7, FHIR, JSON), else `base64`. */
    payloadEncoding: { enum: ['utf8', 'base64'] },
    payload: str,
  },
} as const;

export const auditEventDetail = {
  type: 'object',
  properties: {
    eventId: str,
    records: {
      type: 'array',
      items: { ...auditEventRow, properties: { ...auditEventRow.properties, receipt: rawReceipt } },
    },
  },
} as const;

export const timelinePage = {
  type: 'object',
  properties: {
    nhsNumber: str,
    events: { type: 'array', items: auditEventRow },
    cursor: nstr,
  },
} as const;

export const chainVerdict = {
  type: 'object',
  properties: {
    nhsNumber: str,
    entries: { type: 'integer' },
    ok: { type: 'boolean' },
    firstBrokenLink: {
      type: 'object',
      properties: {
        chainSeq: { type: 'integer' },
        partition: { type: ['integer', 'null'] },
        offset: nstr,
        eventId: nstr,
        reason: str,
      },
    },
    /** Present when the index lacks records of the log: dead-lettered ones, and ranges it skipped without a trace. */
    missing: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reason: { enum: ['dead-lettered', 'not-indexed'] },
          topic: str,
          partition: { type: 'integer' },
          offset: str,
          eventId: nstr,
          errorCode: str,
          deadLetterId: { type: 'integer' },
          fromOffset: str,
          toOffset: str,
        },
      },
    },
  },
} as const;

const anchoredHead = {
  type: ['object', 'null'],
  properties: { chainSeq: str, entryHash: str },
} as const;

/** An anchor as JSON (auditAnchor.ts): the position, the root, the counts, and with `heads` every chain head. */
export const anchorBody = {
  type: 'object',
  properties: {
    format: str,
    takenAt: str,
    position: { type: 'object', additionalProperties: { type: 'object', additionalProperties: str } },
    root: str,
    patients: { type: 'integer' },
    entries: str,
    heads: {
      type: 'array',
      items: { type: 'object', properties: { nhsNumber: str, chainSeq: str, entryHash: str } },
    },
  },
} as const;

export const anchorQuery = {
  type: 'object',
  properties: { heads: { type: 'boolean', default: false, description: 'include every chain head (large)' } },
} as const;

export const anchorVerdict = {
  type: 'object',
  properties: {
    intact: { type: 'boolean' },
    anchoredRoot: str,
    root: str,
    differences: {
      type: 'array',
      items: { type: 'object', properties: { nhsNumber: str, anchored: anchoredHead, now: anchoredHead } },
    },
  },
} as const;

export const accessLogQuery = {
  type: 'object',
  properties: {
    patient: { type: 'string', maxLength: 20 },
    actor: { type: 'string', minLength: 1, maxLength: 200 },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    cursor,
    limit,
  },
  additionalProperties: false,
} as const;

export const accessLogPage = {
  type: 'object',
  properties: {
    records: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          accessId: str,
          actor: {
            type: 'object',
            properties: { sub: str, roles: { type: 'array', items: str }, clientId: str },
          },
          purposeOfUse: str,
          kind: { enum: ['READ', 'ADMIN', 'EXPORT'] },
          route: str,
          patients: { type: 'array', items: str },
          at: { type: 'string', format: 'date-time' },
          correlationId: str,
          outcome: str,
        },
      },
    },
    cursor: { type: ['string', 'null'] },
  },
} as const;
