/**
 * The caller a verified token names: who (`sub`), as what (`roles`), with which grants
 * (`scope`), for which patient (`patient`), why (`purpose_of_use`) and through which client
 * (`client_id`, else `azp`). Read from the verified claims; a token whose claims are not
 * usable is refused with the claim named. Pure.
 */
import { parseNhsNumber } from '../core/nhsNumber.js';
import { err, ok, type Result } from '../core/result.js';
import { isRole, type Role, roleDescriptions } from './roles.js';
import { parseScopes, type Scope } from './scopes.js';

export type Principal = {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly scopes: readonly Scope[];
  /** The scope claim as sent, for the access log. */
  readonly scopeText: string;
  /** The patient the token is bound to (`patient` claim), when it is. */
  readonly patient: string | undefined;
  /** Bound to one patient: a `patient` claim, or any `patient/` scope (then without a claim it reaches no one). */
  readonly patientBound: boolean;
  readonly purposeOfUse: string;
  /** Whether `purposeOfUse` is the token's own claim (else the role's default, which a request header may replace). */
  readonly purposeOfUseClaimed: boolean;
  readonly clientId: string;
};

const CLAIM_TEXT = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

/** Roles from `roles` (an array, or one string; none when absent); unknown role names are ignored. */
function readRoles(claim: unknown): readonly Role[] | undefined {
  if (claim === undefined) return []; // a valid token that grants no role: refused route by route (403)
  const list = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim : undefined;
  if (list === undefined || !list.every((r): r is string => typeof r === 'string')) return undefined;
  return [...new Set(list.filter(isRole))];
}

/**
 * The roles claim: `roles` (Entra ID app roles, most providers' mappers), else Keycloak's
 * default `realm_access.roles`.
 */
function rolesClaim(claims: Readonly<Record<string, unknown>>): unknown {
  if (claims.roles !== undefined) return claims.roles;
  const realm = claims.realm_access;
  return realm !== null && typeof realm === 'object' ? (realm as { roles?: unknown }).roles : undefined;
}

export function principalFromClaims(claims: Readonly<Record<string, unknown>>): Result<Principal, string> {
  const { sub } = claims;
  if (typeof sub !== 'string' || !CLAIM_TEXT.test(sub)) return err('the token has no usable "sub" claim');
  const roles = readRoles(rolesClaim(claims));
  if (roles === undefined) return err('the token\'s "roles" claim is not a list of role names');
  const scopeClaim = claims.scope ?? claims.scp;
  const scopeText =
    typeof scopeClaim === 'string'
      ? scopeClaim
      : Array.isArray(scopeClaim) && scopeClaim.every((s) => typeof s === 'string')
        ? scopeClaim.join(' ')
        : scopeClaim === undefined
          ? ''
          : undefined;
  if (scopeText === undefined) return err('the token\'s "scope" claim is not a space-separated string');
  const scopes = parseScopes(scopeText);
  let patient: string | undefined;
  if (claims.patient !== undefined) {
    const parsed = typeof claims.patient === 'string' ? parseNhsNumber(claims.patient) : undefined;
    if (parsed === undefined || !parsed.ok) return err('the token\'s "patient" claim is not a valid NHS number');
    patient = parsed.value;
  }
  const purposeClaim = claims.purpose_of_use;
  if (purposeClaim !== undefined && (typeof purposeClaim !== 'string' || !CLAIM_TEXT.test(purposeClaim)))
    return err('the token\'s "purpose_of_use" claim is not a code');
  const clientClaim = claims.client_id ?? claims.azp;
  const clientId = typeof clientClaim === 'string' && CLAIM_TEXT.test(clientClaim) ? clientClaim : 'unknown';
  const firstRole = roles[0];
  return ok({
    sub,
    roles,
    scopes,
    scopeText,
    patient,
    patientBound: patient !== undefined || scopes.some((s) => s.context === 'patient'),
    purposeOfUse:
      typeof purposeClaim === 'string'
        ? purposeClaim
        : firstRole === undefined
          ? 'UNSPECIFIED'
          : roleDescriptions[firstRole].purposeOfUse,
    purposeOfUseClaimed: typeof purposeClaim === 'string',
    clientId,
  });
}
