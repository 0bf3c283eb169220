/**
 * Who may do what on the embedded registry: the one table from route to the permission it
 * needs, the one table from registry role to the permissions it holds, and the rule that turns
 * a verified bearer token's project roles into a registry role. A route without a row stops
 * the app from being built. Pure.
 *
 * - `subscriber`: reads (subjects, versions, schemas by id, compatibility levels).
 * - `service`: reads, compatibility checks and lookups (a schema sent to be compared, nothing
 *   changes), and registering schemas.
 * - `admin`: everything, including compatibility levels (`PUT`/`DELETE /config[/{subject}]`)
 *   and deleting subjects and versions, soft and hard.
 *
 * A subscriber may not run compatibility checks or lookups: they are a producer's dry run of a
 * registration, and each parses and compares schemas the caller sends (work a reader has no
 * need to cause).
 */
import type { Principal } from '../auth/principal.js';

export const registryRoles = ['subscriber', 'service', 'admin'] as const;
export type RegistryRole = (typeof registryRoles)[number];

export const isRegistryRole = (value: string): value is RegistryRole =>
  (registryRoles as readonly string[]).includes(value);

/** `anonymous` is the liveness route only. */
export type RegistryPermission = 'anonymous' | 'read' | 'check' | 'register' | 'administer';

const grants: Readonly<Record<RegistryRole, readonly RegistryPermission[]>> = {
  subscriber: ['read'],
  service: ['read', 'check', 'register'],
  admin: ['read', 'check', 'register', 'administer'],
};

/** What each permission lets a caller do, for the 403 message. */
export const permissionWording: Readonly<Record<RegistryPermission, string>> = {
  anonymous: 'call the liveness route',
  read: 'read subjects, schemas or compatibility levels',
  check: 'check or look up a schema against a subject',
  register: 'register schemas',
  administer: 'change compatibility levels or delete subjects and versions',
};

/** Every route of registryRoutes.ts, as `METHOD /path` with fastify's parameter names. */
export const routePermissions: Readonly<Record<string, RegistryPermission>> = {
  'GET /': 'anonymous',
  'GET /schemas/types': 'read',
  'GET /schemas/ids/:id': 'read',
  'GET /schemas/ids/:id/schema': 'read',
  'GET /schemas/ids/:id/versions': 'read',
  'GET /subjects': 'read',
  'GET /subjects/:subject/versions': 'read',
  'GET /subjects/:subject/versions/:version': 'read',
  'GET /subjects/:subject/versions/:version/schema': 'read',
  'GET /config': 'read',
  'GET /config/:subject': 'read',
  'POST /subjects/:subject': 'check',
  'POST /compatibility/subjects/:subject/versions': 'check',
  'POST /compatibility/subjects/:subject/versions/:version': 'check',
  'POST /subjects/:subject/versions': 'register',
  'DELETE /subjects/:subject': 'administer',
  'DELETE /subjects/:subject/versions/:version': 'administer',
  'PUT /config': 'administer',
  'DELETE /config': 'administer',
  'PUT /config/:subject': 'administer',
  'DELETE /config/:subject': 'administer',
};

/** The permission a route needs (HEAD as its GET); undefined for a route the table does not know. */
export function permissionOf(method: string, url: string): RegistryPermission | undefined {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return routePermissions[`${verb} ${url}`];
}

export function mayDo(role: RegistryRole, permission: RegistryPermission): boolean {
  return permission === 'anonymous' || grants[role].includes(permission);
}

/**
 * The registry role of a verified bearer token, from its project roles (auth/roles.ts):
 * `operator` → admin, `integration` → service, any other project role → subscriber; the
 * highest wins. A token with no project role has no registry role (403).
 */
export function registryRoleOfToken(principal: Pick<Principal, 'roles'>): RegistryRole | undefined {
  if (principal.roles.includes('operator')) return 'admin';
  if (principal.roles.includes('integration')) return 'service';
  return principal.roles.length > 0 ? 'subscriber' : undefined;
}
