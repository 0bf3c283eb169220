/**
 * Real bearer tokens for the suites, from the development issuer whose key the service under
 * test trusts (under its LOCAL_STACK_DIR), and the role a route is called with by default:
 * the first role auth/accessPolicy.ts lets call it. Test support; I/O (the key file).
 */
import { resolve } from 'node:path';
import { accessPolicy, type RouteRule } from '../../auth/accessPolicy.js';
import { type DevSigningKey, loadOrCreateDevKey, mintDevToken, type TokenRequest } from '../../auth/devIssuer.js';
import type { Role } from '../../auth/roles.js';

export type TokenOptions = Omit<TokenRequest, 'role' | 'ttlSeconds'> & { readonly ttlSeconds?: number };

export type DevTokens = {
  /** A token for the role; without options, one per role is made and reused. */
  token(role: Role, options?: TokenOptions): Promise<string>;
  readonly key: DevSigningKey;
};

export async function devTokens(localStackDir: string): Promise<DevTokens> {
  const key = await loadOrCreateDevKey(localStackDir);
  const plain = new Map<Role, Promise<string>>();
  return {
    key,
    token(role, options) {
      if (options === undefined) {
        const cached = plain.get(role) ?? mintDevToken(key, { role, ttlSeconds: 6 * 3600 });
        plain.set(role, cached);
        return cached;
      }
      return mintDevToken(key, { role, ttlSeconds: 3600, ...options });
    },
  };
}

const patterns = Object.entries(accessPolicy).map(([key, rule]) => {
  const [method = '', url = ''] = key.split(' ');
  const regex = new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`);
  return { method, regex, rule };
});

/** The access rule of a concrete request (`GET /patients/9434765919/gp-summary?asOf=…`). */
export function ruleOfRequest(method: string, path: string): RouteRule | undefined {
  const bare = path.split('?')[0] ?? path;
  return patterns.find((p) => p.method === method.toUpperCase() && p.regex.test(bare))?.rule;
}

/** The role a suite calls a route with when it does not say: the first the policy allows; an operator's for /health's detail. */
export function defaultRoleFor(method: string, path: string): Role | undefined {
  if (method.toUpperCase() === 'GET' && (path === '/health' || path.startsWith('/health?'))) return 'operator';
  const rule = ruleOfRequest(method, path);
  return rule?.access === 'token' ? rule.roles[0] : undefined;
}

let suiteTokens: Promise<DevTokens> | undefined;

/**
 * `fetch` with a token of the route's default role (defaultRoleFor), from the development
 * issuer of the suites' services (LOCAL_STACK_DIR, `.local-stack` when unset, as
 * serviceUnderTest.ts starts them). For suites that speak HTTP directly.
 */
export async function fetchWithRole(url: string, init: RequestInit = {}): Promise<Response> {
  suiteTokens ??= devTokens(resolve(process.env.LOCAL_STACK_DIR ?? '.local-stack'));
  const target = new URL(url);
  const role = defaultRoleFor(init.method ?? 'GET', `${target.pathname}${target.search}`);
  const headers = new Headers(init.headers);
  if (role !== undefined && !headers.has('authorization'))
    headers.set('authorization', `Bearer ${await (await suiteTokens).token(role)}`);
  return fetch(url, { ...init, headers });
}
