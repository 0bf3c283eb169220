/**
 * The token issuer a secured local broker trusts for OAUTHBEARER: the development issuer
 * (auth/devIssuer.ts) whose key lives under `<LOCAL_STACK_DIR>/dev-issuer/`. Its public keys
 * are written as a JWKS file beside the stack's security material (the private key never
 * leaves the issuer's directory), at every start, so a new issuer key is picked up by the next
 * start. The key is made when missing. I/O.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { DEFAULT_AUDIENCE, DEV_ISSUER, devJwks, loadOrCreateDevKey } from '../auth/devIssuer.js';
import type { OauthValidation } from './brokerProperties.js';
import { securityFiles } from './certificates.js';

/** Writes the development issuer's JWKS into `securityDir` (atomically) and says how the broker validates its tokens. */
export async function writeIssuerJwks(securityDir: string, issuerDir: string): Promise<OauthValidation> {
  const key = await loadOrCreateDevKey(issuerDir);
  const { jwksFile } = securityFiles(securityDir);
  const aside = `${jwksFile}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(aside, `${JSON.stringify(devJwks(key), null, 2)}\n`, { mode: 0o644 });
    await rename(aside, jwksFile);
  } finally {
    await rm(aside, { force: true });
  }
  return { jwksFile, issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE };
}
