/**
 * JSON Schemas of the views' responses: fastify serialises with them, so a field leaves the
 * API only if a schema names it. Field names are the samples' neutral vocabulary. Pure.
 */
const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const ids = { type: 'array', items: str } as const;

export const nhsParam = {
  type: 'object',
  required: ['nhs'],
  properties: { nhs: { type: 'string', minLength: 10, maxLength: 12 } },
} as const;

export const dischargeRow = {
  type: 'object',
  properties: {
    visitId: str,
    admittedAt: nstr,
    dischargedAt: str,
    organisation: nstr,
    dischargeMethod: nstr,
    dischargeDestination: nstr,
    responsibleClinician: nstr,
    eventId: str,
    eventIds: ids,
  },
} as const;

export const problemRow = {
  type: 'object',
  properties: {
    diagnosisId: str,
    code: str,
    codeSystem: str,
    display: nstr,
    verificationStatus: nstr,
    clinicalStatus: nstr,
    encounterId: nstr,
    since: nstr,
    eventIds: ids,
  },
} as const;

export const medicationRow = {
  type: 'object',
  properties: {
    orderId: str,
    code: nstr,
    codeSystem: nstr,
    display: nstr,
    dose: nstr,
    doseUnit: nstr,
    route: nstr,
    frequency: nstr,
    prescriber: nstr,
    startedAt: nstr,
    eventIds: ids,
  },
} as const;

export const gpSummary = {
  type: 'object',
  properties: {
    nhsNumber: str,
    asOf: nstr,
    discharges: { type: 'array', items: dischargeRow },
    activeProblems: { type: 'array', items: problemRow },
    currentMedications: { type: 'array', items: medicationRow },
    lastUpdated: nstr,
  },
} as const;

export const pharmacyOrderRow = {
  type: 'object',
  properties: {
    nhsNumber: str,
    orderId: str,
    status: str,
    code: nstr,
    display: nstr,
    dose: nstr,
    doseUnit: nstr,
    route: nstr,
    frequency: nstr,
    prescriber: nstr,
    orderedAt: nstr,
    endedAt: nstr,
    reason: nstr,
    eventIds: ids,
  },
} as const;

export const taskRow = {
  type: 'object',
  properties: {
    taskId: str,
    nhsNumber: str,
    kind: str,
    dueAt: str,
    status: str,
    causeId: str,
    code: nstr,
    codeSystem: nstr,
    openedAt: nstr,
    closedAt: nstr,
    closedReason: nstr,
  },
} as const;
