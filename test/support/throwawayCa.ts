/**
 * A throwaway certificate authority for TLS tests, made with the `openssl` command line in a
 * temporary directory: the CA, a server certificate for 127.0.0.1/localhost and client
 * certificates with the subjects a test asks for. Valid for two days; never for real use. I/O.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type IssuedCertificate = {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
};

export type ThrowawayCa = {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: Buffer;
  readonly server: IssuedCertificate;
  /** A client certificate with this subject, e.g. `/CN=pas.trust.nhs.uk/O=Trust`. */
  client(name: string, subject: string): IssuedCertificate;
  /** Another server certificate, for exactly these names, e.g. `['DNS:localhost']` (no IP). */
  serverFor(name: string, altNames: readonly string[]): IssuedCertificate;
  /** Writes a file in the directory and returns its path. */
  write(name: string, content: string): string;
  remove(): void;
};

const openssl = (dir: string, args: readonly string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

const newKeyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'cel-tls-'));
  openssl(dir, [
    'req',
    '-x509',
    ...newKeyArgs,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Throwaway MLLP test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  const issue = (name: string, subject: string, extensions: string): IssuedCertificate => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['req', ...newKeyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    serial += 1;
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial),
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    ]);
    const certFile = join(dir, `${name}.pem`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  };
  const server = issue(
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  const caFile = join(dir, 'ca.pem');
  return {
    dir,
    caFile,
    ca: readFileSync(caFile),
    server,
    client: (name, subject) =>
      issue(name, subject, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n'),
    serverFor: (name, altNames) =>
      issue(
        name,
        `/CN=${altNames[0]?.replace(/^[A-Z]+:/, '') ?? name}`,
        `subjectAltName=${altNames.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
      ),
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
