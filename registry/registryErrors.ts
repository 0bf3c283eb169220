/**
 * Every way a registry request can fail, and its Confluent answer: one table from problem kind
 * to HTTP status, `error_code` and message. A new kind does not compile until it has a row. Pure.
 */

/** A problem that needs nothing but its kind. */
type NoDetails = object;

/** The details each kind of problem carries, keyed by kind. */
type ProblemDetails = {
  'subject-not-found': { readonly subject: string };
  'version-not-found': { readonly subject: string; readonly version: number };
  'schema-not-found': { readonly id?: number };
  'subject-soft-deleted': { readonly subject: string };
  'subject-not-soft-deleted': { readonly subject: string };
  'version-soft-deleted': { readonly subject: string; readonly version: number };
  'version-not-soft-deleted': { readonly subject: string; readonly version: number };
  'subject-compatibility-not-configured': { readonly subject: string };
  'incompatible-schema': { readonly subject: string; readonly messages: readonly string[] };
  'invalid-schema': { readonly reason: string };
  'invalid-version': { readonly version: string };
  'invalid-compatibility-level': { readonly given: string };
  'malformed-request': { readonly reason: string };
  'unsupported-media-type': { readonly contentType: string };
  'request-too-large': NoDetails;
  'route-not-found': { readonly method: string; readonly path: string };
  unauthenticated: { readonly reason: string };
  forbidden: { readonly who: string; readonly role: string; readonly operation: string };
  'authentication-unavailable': NoDetails;
  'store-error': NoDetails;
  'internal-error': NoDetails;
};

export type RegistryProblemKind = keyof ProblemDetails;
export type RegistryProblem = {
  [K in RegistryProblemKind]: { readonly kind: K } & ProblemDetails[K];
}[RegistryProblemKind];

type ErrorRule<K extends RegistryProblemKind> = {
  readonly httpStatus: number;
  readonly errorCode: number;
  readonly message: (problem: ProblemDetails[K]) => string;
};

/** Codes and wording follow Confluent's `Errors.java` and rest-utils' exception mappers. */
const errorRules: { readonly [K in RegistryProblemKind]: ErrorRule<K> } = {
  'subject-not-found': { httpStatus: 404, errorCode: 40401, message: (p) => `Subject '${p.subject}' not found.` },
  'version-not-found': { httpStatus: 404, errorCode: 40402, message: (p) => `Version ${p.version} not found.` },
  'schema-not-found': {
    httpStatus: 404,
    errorCode: 40403,
    message: (p) => (p.id === undefined ? 'Schema not found' : `Schema ${p.id} not found`),
  },
  'subject-soft-deleted': {
    httpStatus: 404,
    errorCode: 40404,
    message: (p) => `Subject '${p.subject}' was soft deleted. Set permanent=true to delete permanently`,
  },
  'subject-not-soft-deleted': {
    httpStatus: 404,
    errorCode: 40405,
    message: (p) => `Subject '${p.subject}' was not deleted first before being permanently deleted`,
  },
  'version-soft-deleted': {
    httpStatus: 404,
    errorCode: 40406,
    message: (p) =>
      `Subject '${p.subject}' Version ${p.version} was soft deleted. Set permanent=true to delete permanently`,
  },
  'version-not-soft-deleted': {
    httpStatus: 404,
    errorCode: 40407,
    message: (p) =>
      `Subject '${p.subject}' Version ${p.version} was not deleted first before being permanently deleted`,
  },
  'subject-compatibility-not-configured': {
    httpStatus: 404,
    errorCode: 40408,
    message: (p) => `Subject '${p.subject}' does not have subject-level compatibility configured`,
  },
  // Confluent answered error_code 409 until recent releases, which say 40901; clients check the status.
  'incompatible-schema': {
    httpStatus: 409,
    errorCode: 409,
    message: (p) =>
      `Schema being registered is incompatible with an earlier schema for subject "${p.subject}", details: [${p.messages.join(', ')}]`,
  },
  'invalid-schema': { httpStatus: 422, errorCode: 42201, message: (p) => `Invalid schema: ${p.reason}` },
  'invalid-version': {
    httpStatus: 422,
    errorCode: 42202,
    message: (p) =>
      `The specified version '${p.version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
  },
  'invalid-compatibility-level': {
    httpStatus: 422,
    errorCode: 42203,
    message: (p) =>
      `Invalid compatibility level '${p.given}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive`,
  },
  'malformed-request': { httpStatus: 400, errorCode: 400, message: (p) => p.reason },
  'unsupported-media-type': {
    httpStatus: 415,
    errorCode: 415,
    message: (p) =>
      `HTTP 415 Unsupported Media Type: '${p.contentType}'; send application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json or application/octet-stream`,
  },
  'request-too-large': { httpStatus: 413, errorCode: 413, message: () => 'HTTP 413 Request Entity Too Large' },
  'route-not-found': {
    httpStatus: 404,
    errorCode: 404,
    message: (p) => `HTTP 404 Not Found: no ${p.method} ${p.path} in the Schema Registry API`,
  },
  // Confluent's rest-utils answer 401/40101 and 403/40301 (Errors.java, RestUnauthorizedException).
  unauthenticated: {
    httpStatus: 401,
    errorCode: 40101,
    message: (p) => `Unauthorized: ${p.reason}`,
  },
  forbidden: {
    httpStatus: 403,
    errorCode: 40301,
    message: (p) => `Forbidden: ${p.who} (registry role ${p.role}) may not ${p.operation}`,
  },
  'authentication-unavailable': {
    httpStatus: 503,
    errorCode: 50301,
    message: () => "Service Unavailable: the token issuer's keys (JWKS) cannot be read now; retry shortly",
  },
  'store-error': {
    httpStatus: 500,
    errorCode: 50001,
    message: () => 'Error in the backend data store; the registry log has the cause',
  },
  'internal-error': {
    httpStatus: 500,
    errorCode: 500,
    message: () => 'Internal Server Error; the registry log has the cause',
  },
};

export type ErrorResponse = {
  readonly httpStatus: number;
  readonly body: { readonly error_code: number; readonly message: string };
};

export function toErrorResponse(problem: RegistryProblem): ErrorResponse {
  return render(problem);
}

function render<K extends RegistryProblemKind>(problem: { readonly kind: K } & ProblemDetails[K]): ErrorResponse {
  const rule: ErrorRule<K> = errorRules[problem.kind];
  return { httpStatus: rule.httpStatus, body: { error_code: rule.errorCode, message: rule.message(problem) } };
}

/** The table itself, for the README check and tests. */
export function errorCodeOf(kind: RegistryProblemKind): number {
  return errorRules[kind].errorCode;
}
