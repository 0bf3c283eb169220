/**
 * The development issuer: when no OIDC provider is configured, the service trusts tokens
 * signed by a key kept under the local stack's directory (`<LOCAL_STACK_DIR>/dev-issuer/`),
 * created on first use by whichever comes first, the service or `npm run token`. It signs
 * ES256 tokens with the claims a real provider would send (`iss`, `aud`, `sub`, `roles`,
 * `scope`, `patient`, `purpose_of_use`, `client_id`, `iat`, `nbf`, `exp`, `jti`) and publishes
 * its public key as a JWKS and a discovery document. The service verifies these tokens as it
 * verifies any other: signature, algorithm, issuer, audience, lifetime. I/O (the key file).
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose';
import { type Role, roleDescriptions } from './roles.js';

/** The development issuer's identifier (`iss`): the same on every machine, so a token outlives a port change. */
export const DEV_ISSUER = 'urn:clinical-event-log:development-issuer';
export const DEFAULT_AUDIENCE = 'clinical-event-log';
const ALGORITHM = 'ES256';

export type DevSigningKey = {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
};

export const devKeyFile = (localStackDir: string): string => join(localStackDir, 'dev-issuer', 'signing-key.jwk.json');

function publicPart(jwk: JWK, kid: string): JWK {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y, kid, alg: ALGORITHM, use: 'sig' } as JWK;
}

async function readKey(file: string): Promise<DevSigningKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const privateJwk = JSON.parse(text) as JWK;
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || typeof privateJwk.d !== 'string')
    throw new Error(`${file} is not the development issuer's P-256 key; delete it to make a new one`);
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk));
  return { kid, privateJwk, publicJwk: publicPart(privateJwk, kid) };
}

/**
 * The development signing key, made when missing. Two processes starting together end with
 * the same key: the new key is written aside and linked into place, and the loser reads the winner's.
 */
export async function loadOrCreateDevKey(localStackDir: string): Promise<DevSigningKey> {
  const file = devKeyFile(localStackDir);
  const existing = await readKey(file);
  if (existing !== undefined) return existing;
  await mkdir(join(localStackDir, 'dev-issuer'), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const aside = `${file}.${process.pid}.${randomUUID()}`;
  await writeFile(aside, `${JSON.stringify({ ...jwk, kid, alg: ALGORITHM })}\n`, { mode: 0o600 });
  try {
    await link(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
  const key = await readKey(file);
  if (key === undefined) throw new Error(`${file} vanished while it was being created`);
  return key;
}

export const devJwks = (key: DevSigningKey): JSONWebKeySet => ({ keys: [key.publicJwk] });

/** The discovery document (OpenID Connect Discovery 1.0 fields that apply) of the development issuer. */
export function devDiscoveryDocument(baseUrl: string): Record<string, unknown> {
  return {
    issuer: DEV_ISSUER,
    jwks_uri: `${baseUrl}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: [ALGORITHM],
    // Authorization code with PKCE (S256) for the console (devIssuerAuthorizeRoutes.ts); public clients only.
    authorization_endpoint: `${baseUrl}/dev-issuer/authorize`,
    token_endpoint: `${baseUrl}/dev-issuer/token`,
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: ['authorization_code'],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    claims_supported: [
      'iss',
      'aud',
      'sub',
      'roles',
      'scope',
      'patient',
      'purpose_of_use',
      'client_id',
      'iat',
      'nbf',
      'exp',
      'jti',
    ],
    scopes_supported: [...new Set(Object.values(roleDescriptions).flatMap((r) => r.defaultScopes))],
    service_documentation: 'tokens come from `npm run -s token -- --role ROLE`; see the README',
  };
}

export type TokenRequest = {
  readonly role: Role;
  readonly sub?: string;
  readonly patient?: string;
  /** Scopes added to the role's defaults (which are `patient/…` when `patient` is given). */
  readonly extraScopes?: readonly string[];
  /** The scopes instead of the role's defaults (a token of a role without its grants). */
  readonly onlyScopes?: readonly string[];
  readonly ttlSeconds: number;
  readonly purposeOfUse?: string;
  readonly clientId?: string;
  readonly audience?: string;
  readonly now?: Date;
};

export async function mintDevToken(key: DevSigningKey, request: TokenRequest): Promise<string> {
  const description = roleDescriptions[request.role];
  // Bound to a patient, the role's scopes are in the patient's context (SMART `patient/…`).
  const defaults =
    request.onlyScopes ??
    (request.patient === undefined
      ? description.defaultScopes
      : description.defaultScopes.map((scope) => scope.replace(/^user\//, 'patient/')));
  const scopes = [...new Set([...defaults, ...(request.extraScopes ?? [])])];
  const nowSeconds = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const signingKey = await importJWK(key.privateJwk, ALGORITHM);
  return new SignJWT({
    roles: [request.role],
    scope: scopes.join(' '),
    ...(request.patient === undefined ? {} : { patient: request.patient }),
    purpose_of_use: request.purposeOfUse ?? description.purposeOfUse,
    client_id: request.clientId ?? 'cel-dev-token-cli',
  })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(request.audience ?? DEFAULT_AUDIENCE)
    .setSubject(request.sub ?? `dev-${request.role}`)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + request.ttlSeconds)
    .setJti(randomUUID())
    .sign(signingKey);
}
