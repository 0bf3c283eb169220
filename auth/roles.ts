/**
 * The roles a token can carry, what each is for, the scopes the development issuer gives it by
 * default, and the purpose of use its reads are recorded under when the token names none
 * (HL7 v3 PurposeOfUse codes). The routes each role reaches are in accessPolicy.ts. Pure.
 */

export const roles = ['gp', 'pharmacist', 'care-coordinator', 'analyst', 'auditor', 'operator', 'integration'] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);

export type RoleDescription = {
  readonly purpose: string;
  /** Scopes `npm run token -- --role R` puts in the token. */
  readonly defaultScopes: readonly string[];
  /** Recorded with each access when the token carries no `purpose_of_use`. */
  readonly purposeOfUse: string;
};

const directCare = ['Encounter', 'Condition', 'MedicationRequest'];

export const roleDescriptions: Readonly<Record<Role, RoleDescription>> = {
  gp: {
    purpose: "a GP practice's direct care: the GP summary, a patient's medications, care plan and event timeline",
    defaultScopes: [...directCare, 'CarePlan'].map((r) => `user/${r}.rs`),
    purposeOfUse: 'TREAT',
  },
  pharmacist: {
    purpose: "a pharmacy's direct care: the pharmacy order feed, a patient's medications and event timeline",
    defaultScopes: directCare.map((r) => `user/${r}.rs`),
    purposeOfUse: 'TREAT',
  },
  'care-coordinator': {
    purpose: "care coordination: the care-plan tasks, a patient's care plan and event timeline",
    defaultScopes: [...directCare, 'CarePlan'].map((r) => `user/${r}.rs`),
    purposeOfUse: 'TREAT',
  },
  analyst: {
    purpose: 'population health analysis: replays and exports of the log, nothing else',
    defaultScopes: ['user/ClinicalEvent.rs'],
    purposeOfUse: 'POPHLTH',
  },
  auditor: {
    purpose: 'audit: the audit trail with raw source messages, anchors, chain checks and the access log',
    defaultScopes: ['user/AuditEvent.rs'],
    purposeOfUse: 'HCOMPL',
  },
  operator: {
    purpose: 'operations: held inputs, dead letters, re-drives and the detailed health',
    defaultScopes: ['user/Operations.rus'],
    purposeOfUse: 'HSYSADMIN',
  },
  integration: {
    purpose: 'a source system: submits FHIR resources and JSON events, reads nothing',
    defaultScopes: directCare.map((r) => `system/${r}.c`),
    purposeOfUse: 'TREAT',
  },
};
