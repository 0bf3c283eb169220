/**
 * The MLLP server's connection caps over real loopback sockets: a peer over its own cap is
 * closed at once while other peers are served, a closed connection frees its place, and the
 * global cap still holds. The message handler is a stub answering "ACK"; ingest is not involved.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { connectMllpFrom, type PeerConnection } from '../../test/support/mllpPeer.js';
import { createMllpServer, type MllpServer, type MllpServerOptions } from './mllpServer.js';

const OPTIONS: MllpServerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxFrameBytes: 1024,
  idleTimeoutMs: 60_000,
  frameTimeoutMs: 60_000,
  maxConnections: 10,
  maxConnectionsPerPeer: 2,
  shutdownGraceMs: 1000,
};

const encoder = new TextEncoder();
let server: MllpServer | undefined;
const opened: PeerConnection[] = [];

afterEach(async () => {
  for (const connection of opened.splice(0)) connection.close();
  await server?.close();
  server = undefined;
});

async function start(options: MllpServerOptions): Promise<number> {
  server = createMllpServer(
    options,
    {
      onMessage: async (frame) => encoder.encode(`ACK ${new TextDecoder().decode(frame)}`),
      onOversized: () => encoder.encode('too large'),
    },
    createLogger('silent'),
  );
  return (await server.listen()).port;
}

async function from(localAddress: string, port: number): Promise<PeerConnection> {
  const connection = await connectMllpFrom(localAddress, port);
  opened.push(connection);
  return connection;
}

/** The connection answers a message (it was admitted and is served). */
async function expectServed(connection: PeerConnection, text: string): Promise<void> {
  const before = connection.replies().length;
  connection.send(text);
  await expect.poll(() => connection.replies().slice(before), { timeout: 5000 }).toEqual([`ACK ${text}`]);
}

describe('the per-peer connection cap', () => {
  test('a peer over its cap is closed at once; its admitted connections and other peers are served', async () => {
    const port = await start(OPTIONS);
    const first = await from('127.0.0.1', port);
    const second = await from('127.0.0.1', port);
    await expect.poll(() => server?.connectionsFrom('127.0.0.1')).toBe(2);
    const over = [await from('127.0.0.1', port), await from('127.0.0.1', port)];
    await expect.poll(() => over.map((c) => c.closed()), { timeout: 5000 }).toEqual([true, true]);
    expect(over.map((c) => c.replies())).toEqual([[], []]);

    const other = await from('127.0.0.2', port);
    await expectServed(other, 'from another peer');
    await expectServed(first, 'one');
    await expectServed(second, 'two');
    expect([first.closed(), second.closed()]).toEqual([false, false]);
    expect(server?.connectionsFrom('127.0.0.1')).toBe(2);
  });

  test('a closed connection frees its place for the same peer', async () => {
    const port = await start(OPTIONS);
    const first = await from('127.0.0.1', port);
    await from('127.0.0.1', port);
    await expect.poll(() => server?.connectionsFrom('127.0.0.1')).toBe(2);
    first.close();
    await expect.poll(() => server?.connectionsFrom('127.0.0.1')).toBe(1);
    await expectServed(await from('127.0.0.1', port), 'admitted again');
  });

  test('the global cap still applies across peers', async () => {
    const port = await start({ ...OPTIONS, maxConnections: 3 });
    const admitted = [await from('127.0.0.1', port), await from('127.0.0.2', port), await from('127.0.0.3', port)];
    await expect.poll(() => server?.connections()).toBe(3);
    const over = await from('127.0.0.4', port);
    await expect.poll(() => over.closed(), { timeout: 5000 }).toBe(true);
    for (const [i, connection] of admitted.entries()) await expectServed(connection, `peer ${i}`);
  });
});
