/**
 * A minimal MLLP sender over TLS for tests (node:tls): one connection, one message at a time,
 * waits for the ACK (mllpClient.ts `mllpClientOver`, which says how a refused handshake shows). I/O.
 */
import { connect, type TLSSocket } from 'node:tls';
import { type MllpClient, mllpClientOver } from './mllpClient.js';

export type MllpTlsClientOptions = {
  readonly port: number;
  readonly ca: Buffer;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
};

export async function openMllpTls(options: MllpTlsClientOptions): Promise<MllpClient> {
  const socket: TLSSocket = await new Promise((resolve, reject) => {
    const s = connect(
      {
        host: '127.0.0.1',
        port: options.port,
        ca: options.ca,
        servername: 'localhost',
        ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  return mllpClientOver(socket);
}
