/**
 * The MLLP transport settings: TLS (MLLP_TLS_CERT_FILE, MLLP_TLS_KEY_FILE, MLLP_TLS_CA_FILE), the
 * loopback-only plain listener kept beside TLS (MLLP_PLAIN_PORT) and the sender allow-list
 * (MLLP_SENDERS_FILE). Pure: file paths only; the listener reads the files at start.
 *
 * The rule: with TLS, MLLP_PORT serves TLS on LISTEN_HOST and plain MLLP is only on 127.0.0.1
 * (MLLP_PLAIN_PORT, off unless set), and the senders must be declared. Without TLS, MLLP_PORT
 * is the plain listener on LISTEN_HOST, as before, and MLLP_PLAIN_PORT is refused.
 */
import { isAbsolute, resolve } from 'node:path';

export type MllpTlsFiles = {
  /** PEM certificate chain the listener presents. */
  readonly certFile: string;
  /** PEM private key of that certificate. */
  readonly keyFile: string;
  /** PEM CA bundle; set, every client must present a certificate it signed. */
  readonly caFile: string | undefined;
};

export type MllpListenConfig = {
  readonly tls: MllpTlsFiles | undefined;
  /** The plain listener beside TLS, always on 127.0.0.1; undefined when off (or when there is no TLS). */
  readonly plainPort: number | undefined;
  readonly sendersFile: string | undefined;
};

/** The only interface a plain listener binds to when TLS is configured. */
export const PLAIN_MLLP_HOST = '127.0.0.1';

export function parseMllpListenConfig(
  value: (name: string) => string | undefined,
  problem: (variable: string, message: string) => void,
  cwd: string,
): MllpListenConfig {
  const path = (raw: string | undefined) => (raw === undefined || isAbsolute(raw) ? raw : resolve(cwd, raw));
  const certFile = path(value('MLLP_TLS_CERT_FILE'));
  const keyFile = path(value('MLLP_TLS_KEY_FILE'));
  const caFile = path(value('MLLP_TLS_CA_FILE'));
  const sendersFile = path(value('MLLP_SENDERS_FILE'));
  const plainPortRaw = value('MLLP_PLAIN_PORT');

  if (certFile === undefined && keyFile !== undefined) {
    problem('MLLP_TLS_CERT_FILE', 'unset: expected a PEM certificate file, since MLLP_TLS_KEY_FILE is set');
  }
  if (keyFile === undefined && certFile !== undefined) {
    problem('MLLP_TLS_KEY_FILE', 'unset: expected a PEM private key file, since MLLP_TLS_CERT_FILE is set');
  }
  const tls = certFile !== undefined && keyFile !== undefined ? { certFile, keyFile, caFile } : undefined;
  if (caFile !== undefined && tls === undefined) {
    problem(
      'MLLP_TLS_CA_FILE',
      `"${caFile}": only with MLLP_TLS_CERT_FILE and MLLP_TLS_KEY_FILE (client certificates need TLS)`,
    );
  }
  if (tls !== undefined && sendersFile === undefined) {
    problem(
      'MLLP_SENDERS_FILE',
      'unset: with MLLP TLS, declare the senders (JSON file, see producers/hl7v2/README.md)',
    );
  }

  let plainPort: number | undefined;
  if (plainPortRaw !== undefined) {
    const n = /^\d{1,5}$/.test(plainPortRaw) ? Number(plainPortRaw) : Number.NaN;
    if (!(n >= 0 && n <= 65_535)) {
      problem('MLLP_PLAIN_PORT', `"${plainPortRaw}": expected an integer 0–65535`);
    } else if (tls === undefined && certFile === undefined && keyFile === undefined) {
      problem(
        'MLLP_PLAIN_PORT',
        `"${plainPortRaw}": only with MLLP TLS; without MLLP_TLS_CERT_FILE, MLLP_PORT is the plain listener`,
      );
    } else {
      plainPort = n;
    }
  }
  return { tls, plainPort, sendersFile };
}
