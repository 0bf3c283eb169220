/** A minimal MLLP sender for tests: one connection, one message at a time, waits for the ACK. */
import { connect, type Socket } from 'node:net';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

export type MllpClient = { send(message: Uint8Array): Promise<string>; close(): void };

export async function openMllp(port: number, host = '127.0.0.1'): Promise<MllpClient> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
  let buffer = Buffer.alloc(0);
  let waiting: ((ack: string) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
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
  socket.on('close', () => failed?.(new Error('MLLP connection closed before the ACK')));
  return {
    send(message) {
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failed = reject;
        socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(message), Buffer.from([FS, CR])]));
      });
    },
    close: () => socket.destroy(),
  };
}

/** MSA-1 and MSA-2 of an ACK. */
export function msaOf(ack: string): { code: string; controlId: string } {
  const msa = ack.split('\r').find((s) => s.startsWith('MSA'));
  const fields = msa?.split('|') ?? [];
  return { code: fields[1] ?? '', controlId: fields[2] ?? '' };
}
