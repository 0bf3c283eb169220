/**
 * MLLP connections from a chosen local address, for tests of per-peer limits: on Linux every
 * 127.x.y.z address is loopback, so binding the client to 127.0.0.2 makes it another peer of
 * a listener on 127.0.0.1. Collects the framed replies (unframed, as text) and whether the
 * server closed the connection.
 */
import { mllpFrame, openRawMllp } from './mllpClient.js';

export type PeerConnection = {
  send(payload: Uint8Array | string): void;
  readonly replies: () => readonly string[];
  readonly closed: () => boolean;
  close(): void;
};

export async function connectMllpFrom(localAddress: string, port: number, host = '127.0.0.1'): Promise<PeerConnection> {
  const connection = await openRawMllp(port, host, localAddress);
  return {
    send: (payload) => void connection.write(mllpFrame(payload)).catch(() => {}), // a refused peer's write may fail: `closed` says so
    replies: connection.replies,
    closed: connection.closed,
    close: connection.close,
  };
}
