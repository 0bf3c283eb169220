/**
 * A minimal MLLP sender over TLS for tests (node:tls): one connection, one message at a time,
 * waits for the ACK. `send` fails when the connection closes or errs before the ACK, which is
 * how a refused handshake shows with TLS 1.3 (the client's side completes first). I/O.
 */
import { connect, type TLSSocket } from 'node:tls';
import type { MllpClient } from './mllpClient.js';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

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
  let buffer = Buffer.alloc(0);
  let waiting: ((ack: string) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  let closedWith: Error | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    const end = buffer.indexOf(FS);
    if (end >= 0 && buffer[end + 1] === CR) {
      const start = buffer.indexOf(VT);
      const ack = buffer.subarray(start + 1, end).toString('utf8');
      buffer = buffer.subarray(end + 2);
      waiting?.(ack);
    }
  });
  socket.on('error', (error) => {
    closedWith = error;
    failed?.(error);
  });
  socket.on('close', () => {
    closedWith ??= new Error('MLLP connection closed before the ACK');
    failed?.(closedWith);
  });
  return {
    send(message) {
      return new Promise((resolve, reject) => {
        if (closedWith !== undefined) {
          reject(closedWith);
          return;
        }
        waiting = resolve;
        failed = reject;
        socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(message), Buffer.from([FS, CR])]));
      });
    },
    close: () => socket.destroy(),
  };
}
