/**
 * Who may call each route: the one table the API enforces (authorizeRequest.ts), the README
 * documents and the route × role matrix test walks. A route the API serves without a row here
 * stops the service at start (api/authPlugin.ts). Pure.
 *
 * A rule names the roles that may call the route and the scopes the token must hold (any one
 * of `scopes`, each a list that must all be granted), and how the request meets a patient:
 * - `none`: carries no patient data (ingest answers, health, documents);
 * - `path`: one patient, the `nhs` path parameter;
 * - `query`: a filter naming one patient (`nhsNumber`, `patient`); without it the route is bulk;
 * - `resolved`: the patient is known only once the record is read (an event id): the handler checks;
 * - `bulk`: many patients at once.
 * A token bound to a patient (its `patient` claim, or `patient/` scopes) reaches only that
 * patient: `path`, `query` and `resolved` must name it, and `bulk` is refused.
 */
import type { Role } from './roles.js';
import type { ScopeNeed } from './scopes.js';

export type PatientBinding =
  | { readonly kind: 'none' }
  | { readonly kind: 'path'; readonly param: string }
  | { readonly kind: 'query'; readonly param: string }
  | { readonly kind: 'resolved' }
  | { readonly kind: 'bulk' };

/** What the response holds, for the access log: patient data (read), an admin action, or neither. */
export type AccessKind = 'read' | 'admin' | 'ingest' | 'none';

export type RouteRule =
  | { readonly access: 'anonymous' }
  | {
      readonly access: 'token';
      readonly roles: readonly Role[];
      /** Any one of these lists, each granted in full. */
      readonly scopes: readonly (readonly ScopeNeed[])[];
      readonly patient: PatientBinding;
      readonly kind: AccessKind;
    };

export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'} ${string}`;

const need = (resource: string, permissions: string): ScopeNeed => ({ resource, permissions });
const path: PatientBinding = { kind: 'path', param: 'nhs' };
const bulk: PatientBinding = { kind: 'bulk' };
const none: PatientBinding = { kind: 'none' };

const clinicalRead = [need('Encounter', 'rs'), need('Condition', 'rs'), need('MedicationRequest', 'rs')];
const audit = [[need('AuditEvent', 'rs')]];
const operationsRead = [[need('Operations', 'rs')]];
const operationsAct = [[need('Operations', 'u')]];
const directCare: readonly Role[] = ['gp', 'pharmacist', 'care-coordinator'];

const read = (
  roles: readonly Role[],
  scopes: readonly (readonly ScopeNeed[])[],
  patient: PatientBinding,
): RouteRule => ({
  access: 'token',
  roles,
  scopes,
  patient,
  kind: 'read',
});
const admin = (scopes: readonly (readonly ScopeNeed[])[]): RouteRule => ({
  access: 'token',
  roles: ['operator'],
  scopes,
  patient: bulk,
  kind: 'admin',
});
const ingest = (scopes: readonly ScopeNeed[]): RouteRule => ({
  access: 'token',
  roles: ['integration'],
  scopes: [scopes],
  patient: none,
  kind: 'ingest',
});

const create = (resource: string) => need(resource, 'c');
const anyClinicalCreate = [create('Encounter'), create('Condition'), create('MedicationRequest')];

export const accessPolicy: Readonly<Record<RouteKey, RouteRule>> = {
  // Anonymous: nothing here carries patient data. /health answers its status word only; the detail needs an operator token.
  'GET /health': { access: 'anonymous' },
  'GET /openapi.json': { access: 'anonymous' },
  'GET /.well-known/openid-configuration': { access: 'anonymous' },
  'GET /.well-known/jwks.json': { access: 'anonymous' },
  // The development issuer's sign-in (authorization code + PKCE), served only when it is the issuer.
  'GET /dev-issuer/authorize': { access: 'anonymous' },
  'POST /dev-issuer/authorize': { access: 'anonymous' },
  'POST /dev-issuer/token': { access: 'anonymous' },
  // The console's static shell and where it signs in (api/consoleRoutes.ts); its API calls carry the token.
  'GET /console': { access: 'anonymous' },
  'GET /console/': { access: 'anonymous' },
  'GET /console/callback': { access: 'anonymous' },
  'GET /console/config.json': { access: 'anonymous' },
  'GET /console/assets/:file': { access: 'anonymous' },
  // The FHIR CapabilityStatement and the API reference page (its assets and the document it shows).
  'GET /fhir/metadata': { access: 'anonymous' },
  'GET /docs': { access: 'anonymous' },
  'GET /docs/': { access: 'anonymous' },
  'GET /docs/json': { access: 'anonymous' },
  'GET /docs/yaml': { access: 'anonymous' },
  'GET /docs/static/*': { access: 'anonymous' },
  'GET /docs/static/index.html': { access: 'anonymous' },
  'GET /docs/static/swagger-initializer.js': { access: 'anonymous' },

  // Direct care.
  'GET /patients/:nhs/gp-summary': read(['gp'], [clinicalRead], path),
  'GET /patients/:nhs/medications': read(['gp', 'pharmacist'], [[need('MedicationRequest', 'rs')]], path),
  'GET /pharmacy/orders': read(['pharmacist'], [[need('MedicationRequest', 'rs')]], bulk),
  'GET /patients/:nhs/care-plan': read(['gp', 'care-coordinator'], [[need('CarePlan', 'rs')]], path),
  'GET /care-plan/tasks': read(['care-coordinator'], [[need('CarePlan', 'rs')]], bulk),
  // A patient's events without their source messages: direct care and audit.
  'GET /audit/patients/:nhs/timeline': read([...directCare, 'auditor'], [clinicalRead, ...audit], path),

  // Audit: the trail with raw source messages, anchors, chain checks, the access log.
  'GET /audit/events': read(['auditor'], audit, { kind: 'query', param: 'patient' }),
  'GET /audit/events/:eventId': read(['auditor'], audit, { kind: 'resolved' }),
  'GET /audit/patients/:nhs/verify': read(['auditor'], audit, path),
  'GET /audit/anchor': read(['auditor'], audit, bulk),
  'POST /audit/anchor/verify': read(['auditor'], audit, bulk),
  // Who looked at a patient (patient=), or what someone looked at (actor=: many patients).
  'GET /audit/access': read(['auditor'], audit, { kind: 'query', param: 'patient' }),

  // Analysts: windows of the log.
  'GET /replay/events': read(['analyst'], [[need('ClinicalEvent', 'rs')]], bulk),

  // Operators.
  'GET /admin/parked': admin(operationsRead),
  'GET /admin/rejected': admin(operationsRead),
  'POST /admin/:kind/:id/redrive': admin(operationsAct),
  'GET /admin/dead-letters': admin(operationsRead),
  'GET /admin/dead-letters/:id': admin(operationsRead),
  'POST /admin/dead-letters/:id/redrive': admin(operationsAct),
  // Prometheus metrics: no patient data and no access record per scrape. Prometheus uses
  // METRICS_BEARER_TOKEN_FILE's token, and loopback callers need none (api/metricsRoutes.ts).
  'GET /metrics': { access: 'token', roles: ['operator'], scopes: operationsRead, patient: bulk, kind: 'none' },

  // Source systems: ingest answers carry no patient data. A bundle, a notification or a JSON
  // event may hold any clinical type, so they need all three.
  'POST /events': ingest(anyClinicalCreate),
  'POST /fhir': ingest(anyClinicalCreate),
  'POST /fhir/notify': ingest(anyClinicalCreate),
  'POST /fhir/Encounter': ingest([create('Encounter')]),
  'POST /fhir/Condition': ingest([create('Condition')]),
  'POST /fhir/MedicationRequest': ingest([create('MedicationRequest')]),
};

/** Who sees `/health`'s detail (checks, lag, dead letters) beyond its status word. */
export const healthDetailRule = admin(operationsRead) as Extract<RouteRule, { access: 'token' }>;

/** The rule of a route as fastify names it (`GET /patients/:nhs/gp-summary`), or undefined when it has none. */
export function ruleOf(method: string, url: string): RouteRule | undefined {
  return (accessPolicy as Readonly<Record<string, RouteRule>>)[`${method.toUpperCase()} ${url}`];
}
