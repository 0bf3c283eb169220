/**
 * The API's OpenAPI document (/openapi.json) and its interactive reference (/docs): what each
 * route is called (operationId), says (summary) and belongs to (tags), the request bodies the
 * ingest routes read as raw bytes, the bearer (JWT) security scheme with each route's
 * `security` taken from auth/accessPolicy.ts (none for anonymous routes), and the error answers
 * every route can give: `application/problem+json` (the `Problem` component), or an
 * `OperationOutcome` in `application/fhir+json` under /fhir. All of it is documentation: it is
 * added by @fastify/swagger's `transform`, so no route validates or serialises differently.
 * The reference page loads only its own assets, under a CSP of its own. I/O (plugin registration).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ruleOf } from '../auth/accessPolicy.js';
import { PROBLEM_CONTENT_TYPE } from '../core/problemDetails.js';
import { FHIR_JSON, isFhirPath } from '../producers/fhir/fhirEndpoints.js';

export type RouteDoc = {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly ApiTag[];
  /** A body the route reads as raw bytes (documented only: the interpreter checks it). */
  readonly body?: { readonly contentTypes: readonly string[]; readonly schema: Readonly<Record<string, unknown>> };
  readonly querystring?: Readonly<Record<string, unknown>>;
};

export const apiTags = {
  ingest: 'Submitting clinical messages (JSON events)',
  fhir: 'FHIR R4: ingest and the CapabilityStatement',
  views: 'The GP, pharmacy and care-plan views',
  audit: 'The audit trail, its chain checks and the access log',
  replay: 'Windows of the canonical log',
  admin: 'Operators: held and refused inputs, dead letters',
  health: 'Liveness and dependencies',
} as const;
export type ApiTag = keyof typeof apiTags;

const fhirResourceBody = (type: string) => ({
  contentTypes: [FHIR_JSON, 'application/json'],
  schema: {
    type: 'object',
    description: `One FHIR R4 ${type} resource`,
    required: ['resourceType'],
    properties: { resourceType: { type: 'string', enum: [type] } },
    additionalProperties: true,
  },
});

const fhirBundleBody = (types: readonly string[]) => ({
  contentTypes: [FHIR_JSON, 'application/json'],
  schema: {
    type: 'object',
    description: `A FHIR R4 Bundle of type ${types.join(' or ')}`,
    required: ['resourceType', 'type'],
    properties: { resourceType: { type: 'string', enum: ['Bundle'] }, type: { type: 'string', enum: types } },
    additionalProperties: true,
  },
});

/** Every documented route, by its access-policy key. A route served without a row here fails api/openApiDocs.test.ts. */
export const routeDocs: Readonly<Record<string, RouteDoc>> = {
  'GET /health': {
    operationId: 'getHealth',
    summary: 'Service status (detail with an operator token)',
    tags: ['health'],
  },

  'GET /patients/:nhs/gp-summary': {
    operationId: 'getGpSummary',
    summary: "A patient's GP summary: diagnoses, medications, discharges",
    tags: ['views'],
  },
  'GET /patients/:nhs/medications': {
    operationId: 'getPatientMedications',
    summary: "A patient's medication orders",
    tags: ['views'],
  },
  'GET /pharmacy/orders': {
    operationId: 'listPharmacyOrders',
    summary: 'Medication orders across patients',
    tags: ['views'],
  },
  'GET /patients/:nhs/care-plan': {
    operationId: 'getCarePlan',
    summary: "A patient's care plan and its tasks",
    tags: ['views'],
  },
  'GET /care-plan/tasks': {
    operationId: 'listCarePlanTasks',
    summary: 'Care-plan tasks due, across patients',
    tags: ['views'],
  },

  'GET /audit/patients/:nhs/timeline': {
    operationId: 'getPatientTimeline',
    summary: "A patient's events in log order, without source messages",
    tags: ['audit'],
  },
  'GET /audit/events': {
    operationId: 'listAuditEvents',
    summary: 'Events with their source messages',
    tags: ['audit'],
  },
  'GET /audit/events/:eventId': {
    operationId: 'getAuditEvent',
    summary: 'One event with its source message and chain position',
    tags: ['audit'],
  },
  'GET /audit/patients/:nhs/verify': {
    operationId: 'verifyPatientChain',
    summary: "Checks a patient's hash chain",
    tags: ['audit'],
  },
  'GET /audit/anchor': {
    operationId: 'getAuditAnchor',
    summary: "The chains' heads, to keep elsewhere",
    tags: ['audit'],
  },
  'POST /audit/anchor/verify': {
    operationId: 'verifyAuditAnchor',
    summary: 'Checks a kept anchor against the chains now',
    tags: ['audit'],
  },
  'GET /audit/access': {
    operationId: 'listAccessRecords',
    summary: 'Who read which patient, when and why',
    tags: ['audit'],
  },

  'GET /replay/events': { operationId: 'replayEvents', summary: 'A window of the canonical log', tags: ['replay'] },

  'GET /admin/parked': {
    operationId: 'listParkedInputs',
    summary: 'Inputs held until the patient is known',
    tags: ['admin'],
  },
  'GET /admin/rejected': {
    operationId: 'listRejectedInputs',
    summary: 'Inputs refused for their content',
    tags: ['admin'],
  },
  'POST /admin/:kind/:id/redrive': {
    operationId: 'redriveInput',
    summary: 'Sends a parked or rejected input through the pipeline again',
    tags: ['admin'],
  },
  'GET /admin/dead-letters': {
    operationId: 'listDeadLetters',
    summary: 'Events a view could not apply',
    tags: ['admin'],
  },
  'GET /admin/dead-letters/:id': { operationId: 'getDeadLetter', summary: 'One dead letter', tags: ['admin'] },
  'POST /admin/dead-letters/:id/redrive': {
    operationId: 'redriveDeadLetter',
    summary: 'Applies a dead letter to its view again',
    tags: ['admin'],
  },

  'POST /events': {
    operationId: 'submitJsonEvent',
    summary: 'Submits one JSON clinical event',
    tags: ['ingest'],
    body: {
      contentTypes: ['application/json'],
      schema: {
        type: 'object',
        description: 'One JSON clinical event (schemas/EVENTS.md); checked by the pipeline, not here',
        additionalProperties: true,
      },
    },
  },

  'GET /fhir/metadata': {
    operationId: 'getFhirCapabilityStatement',
    summary: 'The FHIR R4 CapabilityStatement: what this server accepts',
    tags: ['fhir'],
    querystring: {
      type: 'object',
      properties: {
        _format: { type: 'string', description: 'json, application/json or application/fhir+json; others are 406' },
      },
    },
  },
  'POST /fhir/Encounter': {
    operationId: 'createFhirEncounter',
    summary: 'Submits a FHIR R4 Encounter (discharges)',
    tags: ['fhir'],
    body: fhirResourceBody('Encounter'),
  },
  'POST /fhir/Condition': {
    operationId: 'createFhirCondition',
    summary: 'Submits a FHIR R4 Condition (diagnoses)',
    tags: ['fhir'],
    body: fhirResourceBody('Condition'),
  },
  'POST /fhir/MedicationRequest': {
    operationId: 'createFhirMedicationRequest',
    summary: 'Submits a FHIR R4 MedicationRequest (orders)',
    tags: ['fhir'],
    body: fhirResourceBody('MedicationRequest'),
  },
  'POST /fhir': {
    operationId: 'submitFhirBundle',
    summary: 'Submits a FHIR R4 transaction or batch Bundle',
    tags: ['fhir'],
    body: fhirBundleBody(['transaction', 'batch']),
  },
  'POST /fhir/notify': {
    operationId: 'receiveFhirSubscriptionNotification',
    summary: 'Receives a FHIR subscription notification (history Bundle, rest-hook)',
    tags: ['fhir'],
    body: fhirBundleBody(['history']),
  },
};

export const BEARER_SCHEME = 'bearerAuth';

/** The problem+json body (core/problemDetails.ts), as a component. */
export const problemSchema = {
  type: 'object',
  description: 'An RFC 9457 problem',
  required: ['type', 'title', 'status', 'detail', 'code', 'correlationId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable, CEL_ERR_…; api/README.md lists them' },
    location: { type: 'string', description: 'JSON pointer of the parameter or field at fault' },
    correlationId: { type: 'string' },
  },
} as const;

/** The FHIR errors' body: an R4 OperationOutcome, as a component. */
export const operationOutcomeSchema = {
  type: 'object',
  description: 'A FHIR R4 OperationOutcome',
  required: ['resourceType', 'issue'],
  properties: {
    resourceType: { type: 'string', enum: ['OperationOutcome'] },
    issue: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['severity', 'code'],
        properties: {
          severity: { type: 'string', enum: ['fatal', 'error', 'warning', 'information'] },
          code: { type: 'string' },
          details: { type: 'object' },
          diagnostics: { type: 'string' },
          expression: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const errorTexts: Readonly<Record<string, string>> = {
  '400': 'Bad request: a parameter, header or body is wrong (the problem names it)',
  '401': 'No bearer token, or one that does not verify (WWW-Authenticate says why)',
  '403': "The token's role or scopes do not allow this, or it reaches another patient",
  '404': 'No such resource',
  '406': '_format asks for a format this server does not answer',
  '409': 'This resource id and version came before with other content',
  '413': 'The body is larger than this route takes',
  '415': 'The body is not of a media type this route takes',
  '421': 'The Host header names a host this server does not answer for',
  '422': 'The content breaks a rule (the problem names the field)',
  '429': 'Too many requests from this client; retry after Retry-After seconds',
  '500': 'Internal error; safe to retry',
  '503': 'A dependency (the log, the database, the issuer keys) is unavailable; retry after Retry-After seconds',
};

type ResponseMap = Record<string, unknown>;

/** The error statuses a route can answer, from what it takes and who may call it. */
export function errorStatusesOf(method: string, url: string, schema: FastifySchema | undefined): readonly string[] {
  const rule = ruleOf(method, url);
  const statuses = ['400', '421', '429', '500', '503'];
  if (rule?.access === 'token') statuses.push('401', '403');
  if (schema?.params !== undefined || url.includes(':')) statuses.push('404');
  if (method === 'POST') statuses.push('413', '415');
  if (rule?.access === 'token' && rule.kind === 'ingest') statuses.push('409', '422');
  if (method === 'GET' && url === '/fhir/metadata') statuses.push('406');
  return statuses.sort();
}

const covered = (responses: ResponseMap, status: string) =>
  responses[status] !== undefined || responses[`${status[0]}xx`] !== undefined;

/** @fastify/swagger's `transform`: the route's documentation, added to its own schema for the document only. */
export function documentRoute({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: { method: string | string[] };
}) {
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'GET';
  const key = `${method} ${url}`;
  const doc = routeDocs[key];
  if (schema?.hide === true || doc === undefined) return { schema, url };
  const fhir = isFhirPath(url);
  const errorBody = fhir
    ? { [FHIR_JSON]: { schema: { $ref: 'OperationOutcome#' } } }
    : { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } };
  const responses: ResponseMap = { ...((schema?.response as ResponseMap | undefined) ?? {}) };
  for (const status of errorStatusesOf(method, url, schema)) {
    if (!covered(responses, status)) responses[status] = { description: errorTexts[status], content: errorBody };
  }
  const rule = ruleOf(method, url);
  const documented: FastifySchema & Record<string, unknown> = {
    ...schema,
    operationId: doc.operationId,
    summary: doc.summary,
    tags: [...doc.tags],
    security: rule?.access === 'token' ? [{ [BEARER_SCHEME]: [] }] : [],
    response: responses,
    ...(doc.body === undefined || schema?.body !== undefined
      ? {}
      : { body: doc.body.schema, consumes: [...doc.body.contentTypes] }),
    ...(doc.querystring === undefined || schema?.querystring !== undefined ? {} : { querystring: doc.querystring }),
  };
  return { schema: documented, url };
}

/** The CSP of the reference page: its own scripts, styles and images (Swagger UI sets style attributes), no framing. */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Registers the OpenAPI document's generator (before any route) and the reference page at /docs. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  app.addSchema({ $id: 'Problem', ...problemSchema });
  app.addSchema({ $id: 'OperationOutcome', ...operationOutcomeSchema });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Clinical event log API',
        version: '1.0.0',
        description:
          'Ingest (FHIR R4, JSON), the GP, pharmacy and care-plan views, audit, replay, operator endpoints and health. ' +
          'The FHIR CapabilityStatement is at /fhir/metadata.',
      },
      tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A token from the configured OIDC issuer (or the development issuer: npm run token)',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: documentRoute,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CONTENT_SECURITY_POLICY });
}
