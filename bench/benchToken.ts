/**
 * The bearer token a benchmark calls the API with: minted once, before anything is timed, by
 * the development issuer whose key the service under measurement trusts (under its
 * LOCAL_STACK_DIR), so each request is verified as in production. I/O (the key file).
 */
import type { AuthConfig } from '../auth/authConfig.js';
import { loadOrCreateDevKey, mintDevToken } from '../auth/devIssuer.js';
import type { Role } from '../auth/roles.js';

/** Long enough for the longest run at any BENCH_SCALE. */
const BENCH_TOKEN_SECONDS = 12 * 3600;

export async function benchToken(
  service: { readonly auth: AuthConfig; readonly localStack: { readonly dir: string } },
  role: Role,
): Promise<string> {
  if (service.auth.mode === 'oidc')
    throw new Error(`benchmarks run their service with the development issuer, not ${service.auth.issuer}`);
  const key = await loadOrCreateDevKey(service.localStack.dir);
  return mintDevToken(key, {
    role,
    sub: 'bench',
    clientId: 'bench',
    ttlSeconds: BENCH_TOKEN_SECONDS,
    audience: service.auth.audience,
  });
}
