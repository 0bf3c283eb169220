/**
 * What the project's schema-registry client sends to prove who it is, as Confluent's clients
 * do: HTTP Basic from a file holding `user:password` (Confluent's `basic.auth.user.info`
 * format; SCHEMA_REGISTRY_BASIC_AUTH_FILE), a bearer token from a file
 * (SCHEMA_REGISTRY_BEARER_TOKEN_FILE), or the user info of SCHEMA_REGISTRY_URL. At most one
 * of them. `parseRegistryCredentials` is pure and names the variable to fix;
 * `loadRegistryCredentials` reads the file (I/O) when a client is made. Secrets are never logged.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** Where the credentials come from, as configured. */
export type RegistryCredentialSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic-auth-file'; readonly file: string }
  | { readonly kind: 'bearer-token-file'; readonly file: string };

/** The credentials themselves, in memory only. */
export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

export const BASIC_AUTH_FILE_VARIABLE = 'SCHEMA_REGISTRY_BASIC_AUTH_FILE';
export const BEARER_TOKEN_FILE_VARIABLE = 'SCHEMA_REGISTRY_BEARER_TOKEN_FILE';

type Problem = (variable: string, message: string) => void;

export const noRegistryCredentials: RegistryCredentialSource = Object.freeze({ kind: 'none' });

/** The configured source; both files, or a file and user info in the URL, is a problem. */
export function parseRegistryCredentials(
  value: (name: string) => string | undefined,
  problem: Problem,
  registryUrl: URL | 'embedded' | undefined,
  cwd: string,
): RegistryCredentialSource {
  const basicFile = value(BASIC_AUTH_FILE_VARIABLE);
  const bearerFile = value(BEARER_TOKEN_FILE_VARIABLE);
  if (basicFile !== undefined && bearerFile !== undefined) {
    problem(
      BEARER_TOKEN_FILE_VARIABLE,
      `set together with ${BASIC_AUTH_FILE_VARIABLE}: the registry client sends one kind of credentials; unset one of them`,
    );
    return noRegistryCredentials;
  }
  const file = basicFile ?? bearerFile;
  if (file === undefined) return noRegistryCredentials;
  const variable = basicFile !== undefined ? BASIC_AUTH_FILE_VARIABLE : BEARER_TOKEN_FILE_VARIABLE;
  if (registryUrl instanceof URL && registryUrl.username !== '') {
    problem(
      variable,
      'set, but SCHEMA_REGISTRY_URL carries credentials too (user info); give them one way: remove the user info or unset this',
    );
    return noRegistryCredentials;
  }
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  return Object.freeze(
    basicFile !== undefined ? { kind: 'basic-auth-file', file: path } : { kind: 'bearer-token-file', file: path },
  );
}

/** `user:password` (the first `:` separates them; the password may hold more). */
export function parseBasicAuthUserInfo(text: string): RegistryCredentials | undefined {
  const line = text.trim();
  const colon = line.indexOf(':');
  if (colon <= 0 || /[\r\n]/.test(line)) return undefined;
  return { kind: 'basic', username: line.slice(0, colon), password: line.slice(colon + 1) };
}

/** Credentials carried as URL user info (percent-decoded), if any. */
export function credentialsOfUrl(url: URL): RegistryCredentials | undefined {
  if (url.username === '') return undefined;
  return { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/** The `Authorization` header value for these credentials. */
export function authorizationOf(credentials: RegistryCredentials): string {
  return credentials.kind === 'basic'
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : `Bearer ${credentials.token}`;
}

export class RegistryCredentialsError extends Error {
  readonly code = 'CEL_ERR_CONFIG';
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryCredentialsError';
  }
}

/** Reads the configured file; its content is never put in an error. */
export async function loadRegistryCredentials(
  source: RegistryCredentialSource,
): Promise<RegistryCredentials | undefined> {
  if (source.kind === 'none') return undefined;
  const variable = source.kind === 'basic-auth-file' ? BASIC_AUTH_FILE_VARIABLE : BEARER_TOKEN_FILE_VARIABLE;
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (error) {
    throw new RegistryCredentialsError(
      `${variable}=${source.file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  if (source.kind === 'basic-auth-file') {
    const credentials = parseBasicAuthUserInfo(text);
    if (credentials === undefined)
      throw new RegistryCredentialsError(`${variable}=${source.file}: expected one line "user:password"`);
    return credentials;
  }
  const token = text.trim();
  if (!/^[A-Za-z0-9\-_.~+/]+=*$/.test(token))
    throw new RegistryCredentialsError(
      `${variable}=${source.file}: expected one bearer token (e.g. a JWT) on one line`,
    );
  return { kind: 'bearer', token };
}

/**
 * `url` with Basic credentials as its user info, for code that passes a registry on as one URL
 * (createRegistry takes them back out). A bearer token cannot travel so: refused, naming the variable.
 */
export function withUserInfo(url: URL, credentials: RegistryCredentials | undefined): URL {
  if (credentials === undefined) return url;
  if (credentials.kind === 'bearer')
    throw new RegistryCredentialsError(
      `${BEARER_TOKEN_FILE_VARIABLE}: this command sends HTTP Basic only; use ${BASIC_AUTH_FILE_VARIABLE} for it`,
    );
  const carrying = new URL(url.toString());
  carrying.username = encodeURIComponent(credentials.username);
  carrying.password = encodeURIComponent(credentials.password);
  return carrying;
}
