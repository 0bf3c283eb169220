/**
 * The security material of a secured local stack, made once under `<LOCAL_STACK_DIR>/security/`
 * and reused afterwards: a development CA (`ca.pem`, for Node clients), the broker's PKCS12
 * keystore (a certificate for 127.0.0.1 and localhost signed by that CA) and truststore, and a
 * random password per SCRAM principal with a client config for it (`<principal>.properties` for
 * the Java tools, `<principal>.json` for Node clients), and a client certificate and key (PEM)
 * per client principal for the mTLS listener (`<principal>.client-cert.pem`,
 * `<principal>.client-key.pem`, subject `CN=<principal>`). The CA key (`ca.key`) stays, so
 * client certificates missing from a set made before them are issued on the next start; a set
 * made before the CA key was kept cannot issue them (recreate the secured stack for mTLS).
 * Secrets are mode 0600, the directory 0700.
 * Uses `openssl` for the keys and certificates and `keytool` for the truststore. I/O.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  type ClientCredentials,
  clientJson,
  clientProperties,
  SCRAM_PRINCIPALS,
  type ScramPrincipal,
} from './scram.js';

const execFileAsync = promisify(execFile);
const COMPLETE_MARKER = '.complete';

export type StackSecurity = {
  readonly dir: string;
  /** The development CA's certificate, PEM: what a Node client trusts. */
  readonly caFile: string;
  readonly caPem: string;
  readonly keystoreFile: string;
  readonly keystorePassword: string;
  readonly truststoreFile: string;
  readonly truststorePassword: string;
  readonly passwords: Readonly<Record<ScramPrincipal, string>>;
  /** PEM client certificates for the mTLS listener; undefined for a set made before them that cannot issue them. */
  readonly clientCertificates: Readonly<Record<CertificatePrincipal, ClientCertificate>> | undefined;
};

/** The principals that get a client certificate: every one but `broker`, which only talks broker to broker. */
export const CERTIFICATE_PRINCIPALS = ['admin', 'service', 'subscriber'] as const satisfies readonly ScramPrincipal[];
export type CertificatePrincipal = (typeof CERTIFICATE_PRINCIPALS)[number];
export type ClientCertificate = { readonly certFile: string; readonly keyFile: string };

export class SecurityMaterialError extends Error {
  readonly code = 'CEL_ERR_KAFKA_SECURITY';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SecurityMaterialError';
  }
}

export const securityFiles = (dir: string) => ({
  caFile: join(dir, 'ca.pem'),
  caKeyFile: join(dir, 'ca.key'),
  keystoreFile: join(dir, 'broker.keystore.p12'),
  keystorePasswordFile: join(dir, 'broker.keystore.password'),
  truststoreFile: join(dir, 'broker.truststore.p12'),
  truststorePasswordFile: join(dir, 'broker.truststore.password'),
  passwordFile: (principal: ScramPrincipal) => join(dir, `${principal}.password`),
  propertiesFile: (principal: ScramPrincipal) => join(dir, `${principal}.properties`),
  jsonFile: (principal: ScramPrincipal) => join(dir, `${principal}.json`),
  clientCertFile: (principal: CertificatePrincipal) => join(dir, `${principal}.client-cert.pem`),
  clientKeyFile: (principal: CertificatePrincipal) => join(dir, `${principal}.client-key.pem`),
  /** The token issuer's public keys, written at every start for the broker's OAUTHBEARER validator. */
  jwksFile: join(dir, 'oauth-issuer.jwks.json'),
});

/** A password of 32 hex digits: nothing to quote in a JAAS line or a --add-scram argument. */
const newPassword = () => randomBytes(16).toString('hex');

const writeSecret = (file: string, content: string) => writeFile(file, content, { mode: 0o600 });

/**
 * The security material in `dir`, made first if it is not there yet. With `issueMissing`, client
 * certificates missing from an older set are issued now (one caller at a time: the cluster start).
 */
export async function ensureStackSecurity(
  dir: string,
  options: { readonly issueMissing?: boolean } = {},
): Promise<StackSecurity> {
  if (!existsSync(join(dir, COMPLETE_MARKER))) await generate(dir);
  else if (options.issueMissing === true) await issueClientCertificates(dir);
  return loadStackSecurity(dir);
}

/** The client certificates of the set in `dir`: all of them, else undefined. */
function clientCertificatesIn(dir: string): Record<CertificatePrincipal, ClientCertificate> | undefined {
  const files = securityFiles(dir);
  const entries = CERTIFICATE_PRINCIPALS.map(
    (p) => [p, { certFile: files.clientCertFile(p), keyFile: files.clientKeyFile(p) }] as const,
  );
  if (!entries.every(([, c]) => existsSync(c.certFile) && existsSync(c.keyFile))) return undefined;
  return Object.fromEntries(entries) as Record<CertificatePrincipal, ClientCertificate>;
}

export async function loadStackSecurity(dir: string): Promise<StackSecurity> {
  const files = securityFiles(dir);
  const read = async (file: string) => (await readFile(file, 'utf8')).trim();
  try {
    const passwords = Object.fromEntries(
      await Promise.all(SCRAM_PRINCIPALS.map(async (p) => [p, await read(files.passwordFile(p))] as const)),
    ) as Record<ScramPrincipal, string>;
    return {
      dir,
      caFile: files.caFile,
      caPem: await readFile(files.caFile, 'utf8'),
      keystoreFile: files.keystoreFile,
      keystorePassword: await read(files.keystorePasswordFile),
      truststoreFile: files.truststoreFile,
      truststorePassword: await read(files.truststorePasswordFile),
      passwords,
      clientCertificates: clientCertificatesIn(dir),
    };
  } catch (error) {
    throw new SecurityMaterialError(
      `the Kafka security material in ${dir} is incomplete (${(error as Error).message}); remove that directory and the secured cluster's directory to start afresh`,
    );
  }
}

/** Made in a scratch directory and renamed into place, so a half-made set is never reused. */
async function generate(dir: string): Promise<void> {
  const staging = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(staging, { mode: 0o700 });
  try {
    await makeCertificates(staging);
    await issueClientCertificates(staging);
    const files = securityFiles(dir);
    const stagingFiles = securityFiles(staging);
    for (const principal of SCRAM_PRINCIPALS) {
      const credentials: ClientCredentials = { username: principal, password: newPassword() };
      const trust = {
        caFile: files.caFile,
        truststoreFile: files.truststoreFile,
        truststorePassword: (await readFile(stagingFiles.truststorePasswordFile, 'utf8')).trim(),
      };
      await writeSecret(stagingFiles.passwordFile(principal), `${credentials.password}\n`);
      await writeSecret(stagingFiles.propertiesFile(principal), clientProperties(credentials, trust));
      await writeSecret(stagingFiles.jsonFile(principal), clientJson(credentials, trust));
    }
    await writeFile(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another start made the set first (the target exists and is not empty): use theirs.
      if (existsSync(join(dir, COMPLETE_MARKER))) return;
      throw new SecurityMaterialError(
        `${dir} exists but holds no complete set of certificates and credentials (${(error as Error).message}); remove it and the secured cluster's directory to start afresh`,
      );
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function run(tool: 'openssl' | 'keytool', args: readonly string[], cwd: string): Promise<void> {
  try {
    await execFileAsync(tool, [...args], { cwd });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') {
      throw new SecurityMaterialError(
        `${tool} not found: a secured local stack makes its certificates with openssl and keytool (Debian: apt-get install openssl openjdk-17-jre-headless)`,
      );
    }
    throw new SecurityMaterialError(`${tool} ${args[0] ?? ''} failed: ${(stderr ?? String(error)).trim()}`);
  }
}

/** CA and broker certificate with openssl; the broker's keystore and truststore as PKCS12. */
async function makeCertificates(dir: string): Promise<void> {
  const files = securityFiles(dir);
  const keystorePassword = newPassword();
  const truststorePassword = newPassword();
  await writeSecret(files.keystorePasswordFile, `${keystorePassword}\n`);
  await writeSecret(files.truststorePasswordFile, `${truststorePassword}\n`);
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=clinical-event-log local development CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await run(
    'openssl',
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost'],
    dir,
  );
  await writeFile(
    join(dir, 'broker.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'broker.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '825',
      '-sha256',
      '-extfile',
      'broker.ext',
      '-out',
      'broker.pem',
    ],
    dir,
  );
  await run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-in',
      'broker.pem',
      '-inkey',
      'broker.key',
      '-certfile',
      'ca.pem',
      '-name',
      'broker',
      '-out',
      'broker.keystore.p12',
      '-passout',
      `file:${files.keystorePasswordFile}`,
    ],
    dir,
  );
  await run(
    'keytool',
    [
      '-importcert',
      '-noprompt',
      '-alias',
      'local-ca',
      '-file',
      'ca.pem',
      '-keystore',
      'broker.truststore.p12',
      '-storetype',
      'PKCS12',
      '-storepass:file',
      files.truststorePasswordFile,
    ],
    dir,
  );
  // The broker's key lives in the keystore. The CA key stays (0600) to issue client certificates.
  for (const scratch of ['ca.srl', 'broker.key', 'broker.csr', 'broker.pem', 'broker.ext']) {
    await rm(join(dir, scratch), { force: true });
  }
  await chmod(files.caKeyFile, 0o600);
  await chmod(files.keystoreFile, 0o600);
  await chmod(files.truststoreFile, 0o600);
  await chmod(files.caFile, 0o644);
}

/**
 * A client certificate (subject `CN=<principal>`, clientAuth) and its key for each client
 * principal that has none, signed by the CA of `dir`. Each is made in a scratch directory and
 * renamed into place, the key first: a certificate is never there without its key. Does nothing
 * when the CA key is not there (a set made before client certificates existed).
 */
async function issueClientCertificates(dir: string): Promise<void> {
  const files = securityFiles(dir);
  if (!existsSync(files.caKeyFile)) return;
  const missing = CERTIFICATE_PRINCIPALS.filter((p) => !existsSync(files.clientCertFile(p)));
  if (missing.length === 0) return;
  const scratch = join(dir, `.client-certs-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { mode: 0o700 });
  try {
    await writeFile(
      join(scratch, 'client.ext'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=clientAuth',
        '',
      ].join('\n'),
    );
    for (const principal of missing) {
      await run(
        'openssl',
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'client.key',
          '-out',
          'client.csr',
          '-subj',
          `/CN=${principal}`,
        ],
        scratch,
      );
      await run(
        'openssl',
        [
          'x509',
          '-req',
          '-in',
          'client.csr',
          '-CA',
          files.caFile,
          '-CAkey',
          files.caKeyFile,
          '-set_serial',
          `0x${randomBytes(16).toString('hex')}`,
          '-days',
          '825',
          '-sha256',
          '-extfile',
          'client.ext',
          '-out',
          'client.pem',
        ],
        scratch,
      );
      await chmod(join(scratch, 'client.key'), 0o600);
      await chmod(join(scratch, 'client.pem'), 0o600);
      await rename(join(scratch, 'client.key'), files.clientKeyFile(principal));
      await rename(join(scratch, 'client.pem'), files.clientCertFile(principal));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
