/**
 * An MLLP sender for benchmarks: a frame goes out as soon as it is sent, several may be
 * outstanding, and ACKs settle the sends first in, first out (a listener answers a
 * connection's messages in order). I/O.
 */
import { connect, type Socket } from 'node:net';
import { encodeMllpFrame, feedMllp, initialMllpState } from '../producers/hl7v2/mllpFrameDecoder.js';

export type MllpSender = {
  /** Resolves with the ACK (unframed text) answering this message. */
  send(message: Uint8Array): Promise<string>;
  close(): void;
};

export async function openMllpSender(port: number, host = '127.0.0.1'): Promise<MllpSender> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const outstanding: { resolve: (ack: string) => void; reject: (error: Error) => void }[] = [];
  const decoder = new TextDecoder();
  let state = initialMllpState();
  socket.on('data', (chunk: Buffer) => {
    const fed = feedMllp(state, chunk);
    state = fed.state;
    for (const frame of fed.frames) outstanding.shift()?.resolve(decoder.decode(frame));
  });
  const failAll = (error: Error) => {
    for (const waiting of outstanding.splice(0)) waiting.reject(error);
  };
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error(`MLLP connection to ${host}:${port} closed with ACKs outstanding`)));
  return {
    send(message) {
      const framed = encodeMllpFrame(message);
      if (!framed.ok) return Promise.reject(new Error(`a framing byte at offset ${framed.error.offset}; not sent`));
      return new Promise((resolve, reject) => {
        outstanding.push({ resolve, reject });
        socket.write(framed.value);
      });
    },
    close: () => socket.destroy(),
  };
}
