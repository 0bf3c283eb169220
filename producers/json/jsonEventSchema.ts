/**
 * The JSON Schema of a JSON-ingest submission, in the project's neutral vocabulary
 * (flat fields, code systems written SNOMED-CT / ICD-10 / dm+d, FHIR-style lower-case
 * statuses). A unit test checks it against the Avro model: every property maps to an Avro
 * field, every required Avro field is required here, and every enum has the same symbols. Pure.
 */

const instant = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
};
const text = { type: 'string', minLength: 1, maxLength: 1000 };
const optionalText = { type: ['string', 'null'], maxLength: 1000 };
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
  code: text,
  codeSystem: { enum: ['dm+d'] },
  display: optionalText,
  dose: decimal,
  doseUnit: optionalText,
  route: optionalText,
  frequency: optionalText,
  dosageText: optionalText,
};
const orderIds = { orderId: text, placerNamespace: optionalText, fillerOrderId: optionalText };
const diagnosisFields = {
  diagnosisId: text,
  code: text,
  codeSystem: diagnosisCodeSystem,
  display: optionalText,
  clinicalStatus: { enum: [...Object.keys(jsonClinicalStatuses), null] },
  verificationStatus: { enum: [...Object.keys(jsonVerificationStatuses), null] },
  onset: optionalText,
  recorder: optionalText,
  encounterId: optionalText,
};

/** The `data` object of each event type. */
export const jsonEventDataSchemas = {
  PatientDischarged: {
    properties: {
      visitId: text,
      admittedAt: optionalInstant,
      dischargedAt: instant,
      dischargeMethod: optionalText,
      dischargeDestination: optionalText,
      organisation: optionalText,
      responsibleClinician: optionalText,
      encounterClass: optionalText,
    },
    required: ['visitId', 'dischargedAt'],
  },
  DischargeCancelled: {
    properties: { visitId: text, cancelledDischargeAt: optionalInstant, reason: optionalText },
    required: ['visitId'],
  },
  DiagnosisRecorded: { properties: diagnosisFields, required: ['diagnosisId', 'code', 'codeSystem'] },
  DiagnosisAmended: { properties: diagnosisFields, required: ['diagnosisId', 'code', 'codeSystem'] },
  DiagnosisRetracted: {
    properties: {
      diagnosisId: text,
      code: optionalText,
      codeSystem: { enum: ['SNOMED-CT', 'ICD-10', null] },
      display: optionalText,
      reason: optionalText,
      encounterId: optionalText,
    },
    required: ['diagnosisId'],
  },
  MedicationOrdered: {
    properties: {
      ...orderIds,
      ...medicationFields,
      startAt: optionalInstant,
      stopAt: optionalInstant,
      prescriber: optionalText,
      reason: optionalText,
      encounterId: optionalText,
    },
    required: ['orderId', 'code', 'codeSystem'],
  },
  MedicationOrderCancelled: {
    properties: {
      ...orderIds,
      ...medicationFields,
      codeSystem: { enum: ['dm+d', null] },
      code: optionalText,
      prescriber: optionalText,
      reason: optionalText,
    },
    required: ['orderId'],
  },
  MedicationOrderDiscontinued: {
    properties: {
      ...orderIds,
      ...medicationFields,
      codeSystem: { enum: ['dm+d', null] },
      code: optionalText,
      prescriber: optionalText,
      reason: optionalText,
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
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
    correlationId: { type: 'string', minLength: 1, maxLength: 200 },
    localIdentifiers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['authority', 'value'],
        additionalProperties: false,
        properties: { authority: text, value: text, identifierType: optionalText },
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
