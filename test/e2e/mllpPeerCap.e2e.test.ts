/**
 * MLLP exhaustion end to end: one peer opening more idle connections than its cap cannot
 * lock other senders out. The listener runs with a global cap of 6 and a per-peer cap of 3;
 * the first peer (127.0.0.1) opens 3 + 4 connections, more than the global cap, and a second
 * peer (the client bound to 127.0.0.2) still gets AA, while the first peer's connections over
 * its cap are closed at once.
 */
import { describe, expect } from 'vitest';
import { msaOf } from '../support/mllpClient.js';
import { connectMllpFrom, type PeerConnection } from '../support/mllpPeer.js';
import { sampleBytes } from '../support/samples.js';
import { serviceTestWith } from '../support/serviceUnderTest.js';

const PER_PEER = 3;
const test = serviceTestWith({ MLLP_MAX_CONNECTIONS: '6', MLLP_MAX_CONNECTIONS_PER_PEER: String(PER_PEER) });

const ORDER = Buffer.from(sampleBytes('hl7v2/orm_o01_new_order.hl7')).toString('latin1');

/** The new-order sample with its own MSH-10 and order number. */
function orderMessage(id: string): Buffer {
  return Buffer.from(ORDER.replace('|EPR000801|', `|${id}|`).replace('|ORD5001^', `|${id}^`), 'latin1');
}

async function answerOf(connection: PeerConnection, id: string) {
  connection.send(orderMessage(id));
  await expect.poll(() => connection.replies().length, { timeout: 15_000, message: `the ACK for ${id}` }).toBe(1);
  return msaOf(connection.replies()[0] ?? '');
}

describe('the MLLP per-peer connection cap', () => {
  test('a peer holding its cap of idle connections and more does not lock out another peer', async ({ service }) => {
    const opened: PeerConnection[] = [];
    try {
      for (let i = 0; i < PER_PEER + 4; i += 1) opened.push(await connectMllpFrom('127.0.0.1', service.mllpPort));
      const [admitted, over] = [opened.slice(0, PER_PEER), opened.slice(PER_PEER)];
      await expect
        .poll(() => over.map((c) => c.closed()), { timeout: 10_000, message: 'the connections over the cap closed' })
        .toEqual(over.map(() => true));
      expect(admitted.map((c) => c.closed())).toEqual(admitted.map(() => false));

      const other = await connectMllpFrom('127.0.0.2', service.mllpPort);
      opened.push(other);
      expect(await answerOf(other, 'PEERCAP-OTHER')).toEqual({ code: 'AA', controlId: 'PEERCAP-OTHER' });
      // The capped peer's admitted connections are served as before.
      expect(await answerOf(admitted[0] as PeerConnection, 'PEERCAP-FIRST')).toEqual({
        code: 'AA',
        controlId: 'PEERCAP-FIRST',
      });
    } finally {
      for (const connection of opened) connection.close();
    }
  });
});
