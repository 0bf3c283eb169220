/**
 * The JSON Schema of a JSON-ingest submission, in the project's neutral vocabulary
 * (flat fields, code systems written SNOMED-CT / ICD-10 / dm+d, FHIR-style lower-case
 * statuses). A unit test checks it against the Avro model: every property maps to an Avro
 * field, every required Avro field is required here, and every enum has the same symbols. Pure.
 */

import { type TextKind, textLimits } from '../../core/valueDomain.js';

const instant = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
};
// Lengths come from the value domain's table (core/valueDomain.ts), which stays the authority: the
// interpreter checks every value against it after the schema, so the two cannot disagree.
const text = (kind: TextKind) => ({ type: 'string', minLength: 1, maxLength: textLimits[kind].maxLength }) as const;
const optionalText = (kind: TextKind) => ({ type: ['string', 'null'], maxLength: textLimits[kind].maxLength }) as const;
const optionalInstant = { anyOf: [instant, { type: 'null' }] };
const decimal = { type: ['string', 'null'], pattern: '^-?\\d+(\\.\\d+)?$' };

export const jsonCodeSystems = { 'SNOMED-CT': 'SNOMED_CT', 'ICD-10': 'ICD_10', 'dm+d': 'DMD' } as const;
export const jsonVerificationStatuses = {
  unconfirmed: 'UNCONFIRMED',
  provisional: 'PROVISIONAL',
  differential: 'DIFFERENTIAL',
  confirmed: 'CONFIRMED',
  refuted: 'REFUTED',
  'entered-in-error': 'ENTERED_IN_ERROR',
} as const;
export const jsonClinicalStatuses = {
  active: 'ACTIVE',
  recurrence: 'RECURRENCE',
  relapse: 'RELAPSE',
  inactive: 'INACTIVE',
  remission: 'REMISSION',
  resolved: 'RESOLVED',
} as const;

const diagnosisCodeSystem = { enum: ['SNOMED-CT', 'ICD-10'] };
const medicationFields = {
  code: text('code'),
  codeSystem: { enum: ['dm+d'] },
  display: optionalText('display'),
  dose: decimal,
  doseUnit: optionalText('display'),
  route: optionalText('display'),
  frequency: optionalText('display'),
  dosageText: optionalText('freeText'),
};
const orderIds = {
  orderId: text('identifier'),
  placerNamespace: optionalText('identifier'),
  fillerOrderId: optionalText('identifier'),
};
const diagnosisFields = {
  diagnosisId: text('identifier'),
  code: text('code'),
  codeSystem: diagnosisCodeSystem,
  display: optionalText('display'),
  clinicalStatus: { enum: [...Object.keys(jsonClinicalStatuses), null] },
  verificationStatus: { enum: [...Object.keys(jsonVerificationStatuses), null] },
  onset: optionalText('display'),
  recorder: optionalText('display'),
  encounterId: optionalText('identifier'),
};

/** The `data` object of each event type. */
export const jsonEventDataSchemas = {
  PatientDischarged: {
    properties: {
      visitId: text('identifier'),
      admittedAt: optionalInstant,
      dischargedAt: instant,
      dischargeMethod: optionalText('code'),
      dischargeDestination: optionalText('code'),
      organisation: optionalText('display'),
      responsibleClinician: optionalText('display'),
      encounterClass: optionalText('code'),
    },
    required: ['visitId', 'dischargedAt'],
  },
  DischargeCancelled: {
    properties: {
      visitId: text('identifier'),
      cancelledDischargeAt: optionalInstant,
      reason: optionalText('freeText'),
    },
    required: ['visitId'],
  },
  DiagnosisRecorded: { properties: diagnosisFields, required: ['diagnosisId', 'code', 'codeSystem'] },
  DiagnosisAmended: { properties: diagnosisFields, required: ['diagnosisId', 'code', 'codeSystem'] },
  DiagnosisRetracted: {
    properties: {
      diagnosisId: text('identifier'),
      code: optionalText('code'),
      codeSystem: { enum: ['SNOMED-CT', 'ICD-10', null] },
      display: optionalText('display'),
      reason: optionalText('freeText'),
      encounterId: optionalText('identifier'),
    },
    required: ['diagnosisId'],
  },
  MedicationOrdered: {
    properties: {
      ...orderIds,
      ...medicationFields,
      startAt: optionalInstant,
      stopAt: optionalInstant,
      prescriber: optionalText('display'),
      reason: optionalText('freeText'),
      encounterId: optionalText('identifier'),
    },
    required: ['orderId', 'code', 'codeSystem'],
  },
  MedicationOrderCancelled: {
    properties: {
      ...orderIds,
      ...medicationFields,
      codeSystem: { enum: ['dm+d', null] },
      code: optionalText('code'),
      prescriber: optionalText('display'),
      reason: optionalText('freeText'),
    },
    required: ['orderId'],
  },
  MedicationOrderDiscontinued: {
    properties: {
      ...orderIds,
      ...medicationFields,
      codeSystem: { enum: ['dm+d', null] },
      code: optionalText('code'),
      prescriber: optionalText('display'),
      reason: optionalText('freeText'),
    },
    required: ['orderId'],
  },
} as const;

export type JsonEventType = keyof typeof jsonEventDataSchemas;

/** The whole submission: the envelope the client supplies, and `data` by `type`. */
export const jsonSubmissionSchema = {
  $id: 'https://clinical-event-log.example/schemas/json-submission.json',
  type: 'object',
  required: ['type', 'nhsNumber', 'occurredAt', 'data'],
  additionalProperties: false,
  properties: {
    type: { enum: Object.keys(jsonEventDataSchemas) },
    nhsNumber: { type: 'string', pattern: '^[0-9 -]{10,12}$' },
    occurredAt: instant,
    idempotencyKey: text('identifier'),
    correlationId: text('correlationId'),
    localIdentifiers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['authority', 'value'],
        additionalProperties: false,
        properties: {
          authority: text('identifier'),
          value: text('identifier'),
          identifierType: optionalText('code'),
        },
      },
    },
    data: { type: 'object' },
  },
  allOf: Object.entries(jsonEventDataSchemas).map(([type, schema]) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
    then: {
      properties: {
        data: { type: 'object', additionalProperties: false, properties: schema.properties, required: schema.required },
      },
    },
  })),
} as const;
