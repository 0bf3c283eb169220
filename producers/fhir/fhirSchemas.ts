/**
 * The FHIR R4 shapes this system accepts, as JSON Schemas (draft-07) with the TypeScript types
 * they guarantee once ajv has checked a body. Only the elements the mappers read are described,
 * with their base R4 types and the cardinalities that matter; every object allows further
 * properties, because FHIR resources carry far more than we read. Pure.
 */

/** FHIR `id`: the logical id, part of every dedup key. */
const ID_PATTERN = '^[A-Za-z0-9\\-.]{1,64}$';

const SCHEMA_BASE = 'https://schemas.clinical-event-log.example/fhir-r4/';
const DATATYPES_ID = `${SCHEMA_BASE}datatypes.json`;
const ref = (datatype: string) => ({ $ref: `datatypes.json#/definitions/${datatype}` }) as const;
const arrayOf = <T>(items: T) => ({ type: 'array', items }) as const;
const text = { type: 'string' } as const;

export const encounterStatuses = [
  'planned',
  'arrived',
  'triaged',
  'in-progress',
  'onleave',
  'finished',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;
export type EncounterStatus = (typeof encounterStatuses)[number];

export const medicationRequestStatuses = [
  'active',
  'on-hold',
  'cancelled',
  'completed',
  'entered-in-error',
  'stopped',
  'draft',
  'unknown',
] as const;
export type MedicationRequestStatus = (typeof medicationRequestStatuses)[number];

export const medicationRequestIntents = [
  'proposal',
  'plan',
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
  'option',
] as const;
export type MedicationRequestIntent = (typeof medicationRequestIntents)[number];

export const bundleTypes = ['transaction', 'batch', 'history'] as const;
export type FhirBundleType = (typeof bundleTypes)[number];

export const httpVerbs = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type HttpVerb = (typeof httpVerbs)[number];

export type FhirCoding = {
  readonly system?: string;
  readonly version?: string;
  readonly code?: string;
  readonly display?: string;
};
export type FhirCodeableConcept = { readonly coding?: readonly FhirCoding[]; readonly text?: string };
export type FhirExtension = { readonly url: string; readonly valueCodeableConcept?: FhirCodeableConcept };
export type FhirIdentifier = {
  readonly extension?: readonly FhirExtension[];
  readonly type?: FhirCodeableConcept;
  readonly system?: string;
  readonly value?: string;
  readonly assigner?: FhirReference;
};
export type FhirReference = {
  readonly reference?: string;
  readonly type?: string;
  readonly identifier?: FhirIdentifier;
  readonly display?: string;
};
/** `start` and `end` are FHIR dateTimes, checked by the mappers (`parseFhirDateTime`), not here. */
export type FhirPeriod = { readonly start?: string; readonly end?: string };
/** `value` is a JSON number: its written form ("2.50") is already lost when the body is parsed. */
export type FhirQuantity = {
  readonly value?: number;
  readonly comparator?: string;
  readonly unit?: string;
  readonly system?: string;
  readonly code?: string;
};
export type FhirRange = { readonly low?: FhirQuantity; readonly high?: FhirQuantity };
export type FhirMeta = {
  readonly versionId?: string;
  readonly lastUpdated?: string;
  readonly profile?: readonly string[];
};
export type FhirTiming = {
  readonly repeat?: {
    readonly frequency?: number;
    readonly period?: number;
    readonly periodUnit?: string;
    readonly boundsPeriod?: FhirPeriod;
  };
  readonly code?: FhirCodeableConcept;
};
export type FhirDosage = {
  readonly text?: string;
  readonly timing?: FhirTiming;
  readonly route?: FhirCodeableConcept;
  readonly doseAndRate?: readonly { readonly doseQuantity?: FhirQuantity }[];
};

type ResourceBase = { readonly id?: string; readonly meta?: FhirMeta };

export type FhirEncounter = ResourceBase & {
  readonly resourceType: 'Encounter';
  readonly extension?: readonly FhirExtension[];
  readonly identifier?: readonly FhirIdentifier[];
  readonly status: EncounterStatus;
  readonly class: FhirCoding;
  /** 0..1 in base R4; the mapper requires it. */
  readonly subject?: FhirReference;
  readonly participant?: readonly {
    readonly type?: readonly FhirCodeableConcept[];
    readonly individual?: FhirReference;
  }[];
  readonly period?: FhirPeriod;
  readonly hospitalization?: { readonly dischargeDisposition?: FhirCodeableConcept };
  readonly serviceProvider?: FhirReference;
};

export type FhirCondition = ResourceBase & {
  readonly resourceType: 'Condition';
  readonly clinicalStatus?: FhirCodeableConcept;
  readonly verificationStatus?: FhirCodeableConcept;
  readonly code?: FhirCodeableConcept;
  readonly subject: FhirReference;
  readonly encounter?: FhirReference;
  readonly onsetDateTime?: string;
  readonly onsetAge?: FhirQuantity;
  readonly onsetPeriod?: FhirPeriod;
  readonly onsetRange?: FhirRange;
  readonly onsetString?: string;
  readonly recordedDate?: string;
  readonly recorder?: FhirReference;
};

export type FhirMedicationRequest = ResourceBase & {
  readonly resourceType: 'MedicationRequest';
  readonly identifier?: readonly FhirIdentifier[];
  readonly status: MedicationRequestStatus;
  readonly statusReason?: FhirCodeableConcept;
  readonly intent: MedicationRequestIntent;
  readonly medicationCodeableConcept?: FhirCodeableConcept;
  readonly medicationReference?: FhirReference;
  readonly subject: FhirReference;
  readonly encounter?: FhirReference;
  readonly authoredOn?: string;
  readonly requester?: FhirReference;
  readonly reasonCode?: readonly FhirCodeableConcept[];
  readonly dosageInstruction?: readonly FhirDosage[];
  readonly dispenseRequest?: { readonly validityPeriod?: FhirPeriod };
};

/** The resources that can become canonical events. */
export type FhirMappableResource = FhirEncounter | FhirCondition | FhirMedicationRequest;
export type FhirMappableResourceType = FhirMappableResource['resourceType'];
export const mappableResourceTypes = [
  'Encounter',
  'Condition',
  'MedicationRequest',
] as const satisfies readonly FhirMappableResourceType[];

/** An entry's resource before it is checked against the schema of its own type. */
export type FhirEntryResource = { readonly resourceType: string } & { readonly [element: string]: unknown };

export type FhirBundleEntry = {
  readonly fullUrl?: string;
  readonly resource?: FhirEntryResource;
  /** 1..1 in transaction, batch and history Bundles (bdl-3, bdl-4). */
  readonly request: { readonly method: HttpVerb; readonly url: string };
};

export type FhirBundle = ResourceBase & {
  readonly resourceType: 'Bundle';
  readonly type: FhirBundleType;
  readonly timestamp?: string;
  readonly entry?: readonly FhirBundleEntry[];
};

/** The R4 backport's SubscriptionStatus, carried as a `Parameters` resource in entry 0 of a notification. */
export type FhirSubscriptionStatusParameters = ResourceBase & {
  readonly resourceType: 'Parameters';
  readonly parameter?: readonly {
    readonly name: string;
    readonly valueCode?: string;
    readonly valueString?: string;
  }[];
};

/** The R4B SubscriptionStatus resource, which R4B backport notifications carry in entry 0 instead. */
export type FhirSubscriptionStatus = ResourceBase & {
  readonly resourceType: 'SubscriptionStatus';
  readonly status?: string;
  readonly type: string;
};

export const datatypesSchema = {
  $id: DATATYPES_ID,
  definitions: {
    Coding: {
      type: 'object',
      properties: { system: text, version: text, code: text, display: text, userSelected: { type: 'boolean' } },
    },
    CodeableConcept: { type: 'object', properties: { coding: arrayOf(ref('Coding')), text } },
    Extension: {
      type: 'object',
      required: ['url'],
      properties: { url: text, valueCodeableConcept: ref('CodeableConcept') },
    },
    Identifier: {
      type: 'object',
      properties: {
        extension: arrayOf(ref('Extension')),
        use: text,
        type: ref('CodeableConcept'),
        system: text,
        value: text,
        period: ref('Period'),
        assigner: ref('Reference'),
      },
    },
    Reference: {
      type: 'object',
      properties: { reference: text, type: text, identifier: ref('Identifier'), display: text },
    },
    Period: { type: 'object', properties: { start: text, end: text } },
    Quantity: {
      type: 'object',
      properties: { value: { type: 'number' }, comparator: text, unit: text, system: text, code: text },
    },
    Range: { type: 'object', properties: { low: ref('Quantity'), high: ref('Quantity') } },
    Meta: {
      type: 'object',
      properties: { versionId: ref('id'), lastUpdated: text, profile: arrayOf(text) },
    },
    Timing: {
      type: 'object',
      properties: {
        repeat: {
          type: 'object',
          properties: {
            frequency: { type: 'integer', minimum: 1 },
            period: { type: 'number', minimum: 0 },
            periodUnit: { enum: ['s', 'min', 'h', 'd', 'wk', 'mo', 'a'] },
            boundsPeriod: ref('Period'),
          },
        },
        code: ref('CodeableConcept'),
      },
    },
    Dosage: {
      type: 'object',
      properties: {
        text,
        timing: ref('Timing'),
        route: ref('CodeableConcept'),
        doseAndRate: arrayOf({ type: 'object', properties: { doseQuantity: ref('Quantity') } }),
      },
    },
    id: { type: 'string', pattern: ID_PATTERN },
  },
} as const;

const resourceSchema = <P extends Readonly<Record<string, unknown>>>(
  resourceType: string,
  required: readonly string[],
  properties: P,
) =>
  ({
    $id: `${SCHEMA_BASE}${resourceType}.json`,
    type: 'object',
    required: ['resourceType', ...required],
    properties: { resourceType: { const: resourceType }, id: ref('id'), meta: ref('Meta'), ...properties },
  }) as const;

export const encounterSchema = resourceSchema('Encounter', ['status', 'class'], {
  extension: arrayOf(ref('Extension')),
  identifier: arrayOf(ref('Identifier')),
  status: { enum: encounterStatuses },
  class: ref('Coding'),
  subject: ref('Reference'),
  participant: arrayOf({
    type: 'object',
    properties: { type: arrayOf(ref('CodeableConcept')), individual: ref('Reference') },
  }),
  period: ref('Period'),
  hospitalization: { type: 'object', properties: { dischargeDisposition: ref('CodeableConcept') } },
  serviceProvider: ref('Reference'),
});

export const conditionSchema = resourceSchema('Condition', ['subject'], {
  clinicalStatus: ref('CodeableConcept'),
  verificationStatus: ref('CodeableConcept'),
  code: ref('CodeableConcept'),
  subject: ref('Reference'),
  encounter: ref('Reference'),
  onsetDateTime: text,
  onsetAge: ref('Quantity'),
  onsetPeriod: ref('Period'),
  onsetRange: ref('Range'),
  onsetString: text,
  recordedDate: text,
  recorder: ref('Reference'),
});

export const medicationRequestSchema = resourceSchema('MedicationRequest', ['status', 'intent', 'subject'], {
  identifier: arrayOf(ref('Identifier')),
  status: { enum: medicationRequestStatuses },
  statusReason: ref('CodeableConcept'),
  intent: { enum: medicationRequestIntents },
  medicationCodeableConcept: ref('CodeableConcept'),
  medicationReference: ref('Reference'),
  subject: ref('Reference'),
  encounter: ref('Reference'),
  authoredOn: text,
  requester: ref('Reference'),
  reasonCode: arrayOf(ref('CodeableConcept')),
  dosageInstruction: arrayOf(ref('Dosage')),
  dispenseRequest: { type: 'object', properties: { validityPeriod: ref('Period') } },
});

export const bundleSchema = resourceSchema('Bundle', ['type'], {
  type: { enum: bundleTypes },
  timestamp: text,
  entry: arrayOf({
    type: 'object',
    required: ['request'],
    properties: {
      fullUrl: text,
      resource: { type: 'object', required: ['resourceType'], properties: { resourceType: text } },
      request: {
        type: 'object',
        required: ['method', 'url'],
        properties: { method: { enum: httpVerbs }, url: text },
      },
    },
  }),
});

export const subscriptionStatusParametersSchema = resourceSchema('Parameters', [], {
  parameter: arrayOf({
    type: 'object',
    required: ['name'],
    properties: { name: text, valueCode: text, valueString: text },
  }),
});

export const subscriptionStatusSchema = resourceSchema('SubscriptionStatus', ['type'], {
  status: text,
  type: text,
});
