/**
 * SMART on FHIR v2 scopes (`<context>/<resource>.<permissions>`), read from a token's `scope`
 * claim and matched against what a route needs. Contexts: `patient` (bound to the token's
 * `patient` claim), `user`, `system`. Permissions are letters of `cruds` in that order
 * (create, read, update, delete, search); SMART v1 `read` (= `rs`), `write` (= `cud`) and `*`
 * (= `cruds`) are read as their v2 equivalents. Resource `*` is every resource. Anything else
 * in the claim (`openid`, `launch/patient`, a malformed scope) grants nothing. Pure.
 */

export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export type Scope = {
  readonly context: ScopeContext;
  /** A FHIR resource type, a project resource (`AuditEvent`, `Operations`, …) or `*`. */
  readonly resource: string;
  readonly permissions: ReadonlySet<Permission>;
};

/** What a route needs: a resource and permissions, in any context (a `patient/` grant binds the request to the token's patient). */
export type ScopeNeed = { readonly resource: string; readonly permissions: string };

const SCOPE = /^(patient|user|system)\/([A-Za-z][A-Za-z0-9]{0,63}|\*)\.([a-z*]+)(?:\?.*)?$/;
const V1: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** One scope, or undefined when the text is not a SMART resource scope. */
export function parseScope(text: string): Scope | undefined {
  const match = SCOPE.exec(text);
  if (match === null) return undefined;
  const [, context, resource = '', permissionText = ''] = match;
  const letters = V1[permissionText] ?? permissionText;
  // v2 permissions are a subsequence of "cruds": each at most once, in that order.
  if (!/^c?r?u?d?s?$/.test(letters) || letters === '') return undefined;
  return {
    context: context as ScopeContext,
    resource,
    permissions: new Set([...letters] as Permission[]),
  };
}

/** Every resource scope in a space-separated claim; others are ignored. */
export function parseScopes(claim: string): readonly Scope[] {
  return claim
    .split(/\s+/)
    .filter((token) => token !== '')
    .flatMap((token) => {
      const scope = parseScope(token);
      return scope === undefined ? [] : [scope];
    });
}

/** The scope text a need is written as in errors and tables: `Condition.rs`. */
export const needText = (need: ScopeNeed): string => `${need.resource}.${need.permissions}`;

/** The grants among `scopes` that cover the need (all of its permissions, this resource or `*`). */
export function grantsFor(scopes: readonly Scope[], need: ScopeNeed): readonly Scope[] {
  return scopes.filter(
    (scope) =>
      (scope.resource === need.resource || scope.resource === '*') &&
      [...need.permissions].every((p) => scope.permissions.has(p as Permission)),
  );
}
