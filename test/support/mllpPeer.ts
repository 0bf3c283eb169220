/**
 * MLLP connections from a chosen local address, for tests of per-peer limits: on Linux every
 * 127.x.y.z address is loopback, so binding the client to 127.0.0.2 makes it another peer of
 * a listener on 127.0.0.1. Collects the framed replies (unframed, as text) and whether the
 * server closed the connection.
 */
import { connect, type Socket } from 'node:net';
import { mllpFrame } from './mllpClient.js';

const FS = 0x1c;
const VT = 0x0b;

export type PeerConnection = {
  send(payload: Uint8Array | string): void;
  readonly replies: () => readonly string[];
  readonly closed: () => boolean;
  close(): void;
};

export async function connectMllpFrom(localAddress: string, port: number, host = '127.0.0.1'): Promise<PeerConnection> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ port, host, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
  const replies: string[] = [];
  let buffer = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let end = buffer.indexOf(FS); end >= 0 && end + 1 < buffer.length; end = buffer.indexOf(FS)) {
      replies.push(buffer.subarray(buffer.indexOf(VT) + 1, end).toString('utf8'));
      buffer = buffer.subarray(end + 2);
    }
  });
  // A refused connection is closed (or reset) by the server: `closed` reports it.
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  return {
    send: (payload) => socket.write(mllpFrame(payload)),
    replies: () => replies,
    closed: () => closed,
    close: () => socket.destroy(),
  };
}
