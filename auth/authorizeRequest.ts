/**
 * The decision for one request with a verified token: the route's roles, then its scopes,
 * then the patient the token is bound to against the patient the request names. Refusals say
 * what is missing (the roles, the scope, the patient rule) and never echo patient data. Pure.
 */
import { parseNhsNumber } from '../core/nhsNumber.js';
import type { RouteRule } from './accessPolicy.js';
import type { Principal } from './principal.js';
import { grantsFor, needText, type ScopeNeed } from './scopes.js';

export type TokenRule = Extract<RouteRule, { access: 'token' }>;

export type Refusal = {
  readonly status: 403;
  readonly detail: string;
  /** The scope to ask for, for `WWW-Authenticate: Bearer error="insufficient_scope", scope=…`. */
  readonly scope?: string;
};

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly refusal: Refusal };

type RequestParts = {
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
};

const allow: Decision = { allowed: true };
const refuse = (detail: string, scope?: string): Decision => ({
  allowed: false,
  refusal: { status: 403, detail, ...(scope === undefined ? {} : { scope }) },
});

/** The first need of an alternative the token does not grant, or undefined when it grants them all. */
const missingNeed = (principal: Principal, alternative: readonly ScopeNeed[]): ScopeNeed | undefined =>
  alternative.find((n) => grantsFor(principal.scopes, n).length === 0);

/** Whether a token may see this patient's records: unbound, or bound to exactly this patient. */
export function mayReadPatient(principal: Principal, nhsNumber: string): boolean {
  if (!principal.patientBound) return true;
  const parsed = parseNhsNumber(nhsNumber);
  return principal.patient !== undefined && parsed.ok && parsed.value === principal.patient;
}

const boundDetail = "this token is bound to one patient and reaches only that patient's records";

export function authorizeRequest(rule: TokenRule, principal: Principal, request: RequestParts): Decision {
  if (!rule.roles.some((role) => principal.roles.includes(role))) {
    const held = principal.roles.length === 0 ? 'none' : principal.roles.join(', ');
    return refuse(`this route needs the role ${rule.roles.join(' or ')}; the token's roles: ${held}`);
  }
  if (!rule.scopes.some((alternative) => missingNeed(principal, alternative) === undefined)) {
    const first = rule.scopes[0] ?? [];
    const missing = missingNeed(principal, first);
    const text = missing === undefined ? '' : needText(missing);
    return refuse(
      `the token lacks the scope user/${text} (or system/${text}, or patient/${text} for its own patient)`,
      `user/${text}`,
    );
  }
  if (!principal.patientBound) return allow;
  const binding = rule.patient;
  switch (binding.kind) {
    case 'none':
      return refuse('submissions need a system token, not one bound to a patient');
    case 'bulk':
      return refuse(`${boundDetail}; this route lists many patients`);
    case 'resolved':
      return allow; // the handler checks the record's patient with mayReadPatient
    case 'path': {
      const value = request.params[binding.param];
      return typeof value === 'string' && mayReadPatient(principal, value) ? allow : refuse(boundDetail);
    }
    case 'query': {
      const value = request.query[binding.param];
      if (value === undefined) return refuse(`${boundDetail}; name it in the "${binding.param}" parameter`);
      return typeof value === 'string' && mayReadPatient(principal, value) ? allow : refuse(boundDetail);
    }
  }
}
