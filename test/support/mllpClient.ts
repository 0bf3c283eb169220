/** A minimal MLLP sender for tests: one connection, one message at a time, waits for the ACK. */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

export type MllpClient = { send(message: Uint8Array): Promise<string>; close(): void };

export async function openMllp(port: number, host = '127.0.0.1'): Promise<MllpClient> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
  return mllpClientOver(socket);
}

/**
 * The MLLP exchange over a connected socket (plain or TLS): frames each message, waits for one
 * ACK. A send fails once the connection has closed or erred before its ACK (with TLS 1.3 that is
 * how a refused handshake shows: the client's side completes first).
 */
export function mllpClientOver(socket: Duplex): MllpClient {
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
        socket.write(mllpFrame(message));
      });
    },
    close: () => socket.destroy(),
  };
}

/** One message on its own connection: opens, sends, waits for the ACK, closes. */
export async function sendOverMllp(port: number, message: Uint8Array): Promise<string> {
  const client = await openMllp(port);
  try {
    return await client.send(message);
  } finally {
    client.close();
  }
}

/** MSA-1 and MSA-2 of an ACK. */
export function msaOf(ack: string): { code: string; controlId: string } {
  const msa = ack.split('\r').find((s) => s.startsWith('MSA'));
  const fields = msa?.split('|') ?? [];
  return { code: fields[1] ?? '', controlId: fields[2] ?? '' };
}

/** `<VT>` payload `<FS><CR>`, without checking the payload: tests send malformed frames on purpose. */
export function mllpFrame(payload: Uint8Array | string): Buffer {
  return Buffer.concat([Buffer.from([VT]), Buffer.from(payload), Buffer.from([FS, CR])]);
}

/**
 * A connection for tests of misbehaving senders: writes any bytes, and collects every framed
 * reply in arrival order (unframed, as text) and whether the server has closed it.
 */
export type RawMllpConnection = {
  /** Resolves once the bytes are handed to the kernel. */
  write(bytes: Uint8Array | string): Promise<void>;
  readonly replies: () => readonly string[];
  readonly closed: () => boolean;
  /** Half-closes: no more bytes from this side, replies still arrive. */
  end(): void;
  close(): void;
};

/** `localAddress` binds the client (on Linux every 127.x.y.z is loopback: 127.0.0.2 is another peer). */
export async function openRawMllp(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawMllpConnection> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
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
  // A reset from the server is how some of these tests end; `closed` reports it.
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve()))),
    replies: () => replies,
    closed: () => closed,
    end: () => socket.end(),
    close: () => socket.destroy(),
  };
}

/** The ERR segment of an ACK, or '' when it has none. */
export function errOf(ack: string): string {
  return ack.split('\r').find((s) => s.startsWith('ERR')) ?? '';
}
