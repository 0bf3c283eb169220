/**
 * What the patient pages may show a signed-in caller, following the rows of the API's access
 * policy (auth/accessPolicy.ts) for each patient route: a part the caller's roles may not call
 * is not shown at all (the API checks the token itself). Pure.
 */

export type PatientAccess = {
  /** GET /audit/patients/:nhs/timeline */
  readonly timeline: boolean;
  /** GET /audit/events/:eventId (the raw source message) */
  readonly sourceMessage: boolean;
  /** GET /audit/patients/:nhs/verify */
  readonly chain: boolean;
  /** GET /patients/:nhs/gp-summary */
  readonly gpSummary: boolean;
  /** GET /patients/:nhs/medications */
  readonly medications: boolean;
  /** GET /patients/:nhs/care-plan */
  readonly carePlan: boolean;
};

const any = (roles: readonly string[], allowed: readonly string[]) => allowed.some((role) => roles.includes(role));

export const patientAccess = (roles: readonly string[]): PatientAccess => ({
  timeline: any(roles, ['gp', 'pharmacist', 'care-coordinator', 'auditor']),
  sourceMessage: any(roles, ['auditor']),
  chain: any(roles, ['auditor']),
  gpSummary: any(roles, ['gp']),
  medications: any(roles, ['gp', 'pharmacist']),
  carePlan: any(roles, ['gp', 'care-coordinator']),
});
