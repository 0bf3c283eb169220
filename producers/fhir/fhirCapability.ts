/**
 * The server's FHIR R4 CapabilityStatement (`GET /fhir/metadata`), built from the route table
 * the routes are registered from (fhirEndpoints.ts), so it states exactly what is accepted:
 * `create` on each mapped resource type, `transaction` / `batch` Bundles at `[base]`, and
 * subscription notifications at `[base]/notify` (R4 has no interaction for those: they are
 * described in `rest[0].documentation`). Security: SMART on FHIR bearer tokens from the
 * configured issuer (or the development issuer). Pure.
 */
import { FHIR_JSON, type FhirRoute, fhirRouteTable } from './fhirEndpoints.js';

export type CapabilityInputs = {
  /** The request's base, `https://host:port/fhir`: `implementation.url`. */
  readonly baseUrl: string;
  /** `software.name` / `software.version`: the package's. */
  readonly software: { readonly name: string; readonly version: string };
  /** When this statement was made (the service's start): `date`. */
  readonly date: Date;
  /** Whose tokens are trusted: the configured OIDC issuer, or undefined for the development issuer. */
  readonly issuer: string | undefined;
  /** The routes stated; the service's own table unless a test gives another. */
  readonly routes?: readonly FhirRoute[];
};

export const RESTFUL_SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';
const DEVELOPMENT_ISSUER_NOTE = 'urn:clinical-event-log:development-issuer';

/** FHIR `format` codes: `json` covers `application/fhir+json` and `application/json`. */
export const CAPABILITY_FORMATS = ['json'] as const;

export type CapabilityStatement = {
  readonly resourceType: 'CapabilityStatement';
  readonly status: 'active';
  readonly date: string;
  readonly kind: 'instance';
  readonly fhirVersion: '4.0.1';
  readonly format: readonly string[];
  readonly software: { readonly name: string; readonly version: string };
  readonly implementation: { readonly description: string; readonly url: string };
  readonly rest: readonly {
    readonly mode: 'server';
    readonly documentation: string;
    readonly security: {
      readonly cors: boolean;
      readonly service: readonly { readonly coding: readonly { readonly system: string; readonly code: string }[] }[];
      readonly description: string;
    };
    readonly resource: readonly {
      readonly type: string;
      readonly documentation: string;
      readonly interaction: readonly { readonly code: string; readonly documentation?: string }[];
      readonly versioning: 'versioned';
      readonly readHistory: false;
      readonly updateCreate: false;
      readonly conditionalCreate: false;
      readonly conditionalRead: 'not-supported';
      readonly conditionalUpdate: false;
      readonly conditionalDelete: 'not-supported';
    }[];
    readonly interaction: readonly { readonly code: string; readonly documentation: string }[];
  }[];
};

function securityDescription(issuer: string | undefined, origin: string): string {
  const common =
    'Every interaction except GET [base]/metadata needs an OAuth 2.0 bearer token (Authorization: Bearer <JWT>) ' +
    'with SMART on FHIR v2 system scopes: system/<type>.c for POST [base]/<type>, and system/Encounter.c, ' +
    'system/Condition.c and system/MedicationRequest.c for Bundles and notifications; role integration.';
  if (issuer === undefined)
    return (
      `${common} Tokens are issued by the development issuer (${DEVELOPMENT_ISSUER_NOTE}); ` +
      `its discovery document is ${origin}/.well-known/openid-configuration and its keys ${origin}/.well-known/jwks.json. ` +
      'It has no token endpoint: tokens are made with `npm run token`.'
    );
  return `${common} Tokens are issued by ${issuer}; its token endpoint is in ${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration.`;
}

const bundleDocumentation = (type: 'transaction' | 'batch', types: string) =>
  type === 'transaction'
    ? `POST [base] with a Bundle of type transaction: all entries or none (the first failing entry refuses it). Entries are POST or PUT of ${types}; the answer is a transaction-response Bundle.`
    : `POST [base] with a Bundle of type batch: each entry is taken alone (POST or PUT of ${types}); the answer is a batch-response Bundle.`;

export function capabilityStatement(inputs: CapabilityInputs): CapabilityStatement {
  const routes = inputs.routes ?? fhirRouteTable;
  const origin = new URL(inputs.baseUrl).origin;
  const creates = routes.filter((r): r is Extract<FhirRoute, { kind: 'create' }> => r.kind === 'create');
  const bundles = routes.filter((r): r is Extract<FhirRoute, { kind: 'bundle' }> => r.kind === 'bundle');
  const notifications = routes.filter(
    (r): r is Extract<FhirRoute, { kind: 'notification' }> => r.kind === 'notification',
  );
  const typeNames = creates.map((r) => r.type).join(', ');
  const relative = (url: string) => url.replace(/^\/fhir/, '[base]');
  const notificationText = notifications.map(
    (n) =>
      `Subscription notifications (R4 Subscriptions Backport, rest-hook): POST ${relative(n.url)} with a Bundle of type ${n.bundleTypes.join(' or ')}; entry 0 is the SubscriptionStatus (R4 Parameters or R4B SubscriptionStatus), later entries ${typeNames} (full-resource), each taken alone. Handshake, heartbeat and query-status notifications yield nothing. The answer is an OperationOutcome.`,
  );
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: inputs.date.toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: CAPABILITY_FORMATS,
    software: { name: inputs.software.name, version: inputs.software.version },
    implementation: {
      description:
        'Clinical event log: FHIR R4 ingest of Encounter, Condition and MedicationRequest into an immutable event log',
      url: inputs.baseUrl,
    },
    rest: [
      {
        mode: 'server',
        documentation: [
          `Ingest only: resources are recorded as events, never read back over FHIR. Requests are ${FHIR_JSON} (or application/json); answers are ${FHIR_JSON}, errors an OperationOutcome.`,
          ...notificationText,
        ].join(' '),
        security: {
          cors: false,
          service: [{ coding: [{ system: RESTFUL_SECURITY_SERVICE, code: 'SMART-on-FHIR' }] }],
          description: securityDescription(inputs.issuer, origin),
        },
        resource: creates.map((route) => ({
          type: route.type,
          documentation: `POST ${relative(route.url)}: one ${route.type}; each resource version (meta.versionId, else 1) is recorded once. 201 with Location <type>/<id>/_history/<version>, 200 for a version already received, 202 when held until the patient can be identified.`,
          interaction: [{ code: 'create' }],
          versioning: 'versioned',
          readHistory: false,
          updateCreate: false,
          conditionalCreate: false,
          conditionalRead: 'not-supported',
          conditionalUpdate: false,
          conditionalDelete: 'not-supported',
        })),
        interaction: bundles.flatMap((route) =>
          route.bundleTypes
            .filter((type) => type === 'transaction' || type === 'batch')
            .map((type) => ({ code: type, documentation: bundleDocumentation(type, typeNames) })),
        ),
      },
    ],
  };
}
