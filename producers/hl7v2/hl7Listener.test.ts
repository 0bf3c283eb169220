/**
 * The listener when ingest fails outright (PostgreSQL unreachable, a fault of ours): the
 * sender gets AR 207 asking for a resend, at once, instead of waiting for an ACK that never
 * comes; the connection stays usable. Over a real socket; the ingest pipeline is replaced
 * by one that throws, then one that accepts.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { errOf, type MllpClient, msaOf, openMllp } from '../../test/support/mllpClient.js';
import { sampleBytes } from '../../test/support/samples.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { createHl7Listener } from './hl7Listener.js';
import type { MllpServer } from './mllpServer.js';

const OPTIONS = {
  host: '127.0.0.1',
  port: 0,
  maxFrameBytes: 1024 * 1024,
  idleTimeoutMs: 10_000,
  frameTimeoutMs: 10_000,
  maxConnections: 10,
  maxConnectionsPerPeer: 10,
  shutdownGraceMs: 1000,
};

let server: MllpServer | undefined;
let client: MllpClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

describe('the HL7 listener when ingest fails', () => {
  test('answers AR 207 asking for a resend, and takes the resend on the same connection', async () => {
    let failing = true;
    const ingest: IngestService = {
      async ingest(message): Promise<IngestOutcome> {
        if (failing) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return {
          kind: 'ignored',
          correlationId: message.correlationId,
          receiptId: message.receiptId,
          reason: 'test',
        } as IngestOutcome;
      },
      redrive: async () => undefined,
      idle: async () => undefined,
      releaseResolvable: async () => undefined,
      close: async () => undefined,
    };
    server = createHl7Listener(OPTIONS, { ingest, clock: () => new Date(), logger: createLogger('silent') });
    const address = await server.listen();
    client = await openMllp(address.port);
    const message = sampleBytes('hl7v2/adt_a03_discharge.hl7');
    const controlId = /MSH(?:\|[^|\r]*){8}\|([^|\r]*)/.exec(Buffer.from(message).toString('latin1'))?.[1];

    const refused = await client.send(message);
    expect(msaOf(refused)).toEqual({ code: 'AR', controlId });
    expect(errOf(refused)).toContain('207');
    expect(refused).toContain('resend');

    failing = false;
    expect(msaOf(await client.send(message)).code).toBe('AA');
  });
});
