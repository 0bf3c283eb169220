/**
 * The bearer token a command-line tool calls the API with: `--token`, else `CEL_TOKEN`, else,
 * when the service trusts the development issuer, one minted for the operating-system user
 * with the role the command needs (client `cli`). With an OIDC provider configured, a token
 * from that provider is required. I/O (the key file).
 */
import { userInfo } from 'node:os';
import type { AuthConfig } from './authConfig.js';
import { loadOrCreateDevKey, mintDevToken } from './devIssuer.js';
import type { Role } from './roles.js';

export async function cliToken(
  auth: AuthConfig,
  localStackDir: string,
  role: Role,
  given: { readonly flag?: string | undefined; readonly env?: string | undefined },
): Promise<string> {
  const explicit = given.flag ?? given.env;
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  if (auth.mode === 'oidc')
    throw new Error(
      `the service trusts tokens from ${auth.issuer}: pass one with the ${role} role as --token or CEL_TOKEN`,
    );
  const key = await loadOrCreateDevKey(localStackDir);
  return mintDevToken(key, {
    role,
    sub: userInfo().username,
    clientId: 'cli',
    ttlSeconds: 300,
    audience: auth.audience,
  });
}
