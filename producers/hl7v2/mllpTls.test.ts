/**
 * The HL7 listener over TLS and with a sender allow-list, over real sockets: a throwaway CA and
 * certificates made with `openssl`, TLS clients from node:tls, and an ingest pipeline replaced by
 * one that answers AA and counts what reached it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { errOf, type MllpClient, msaOf, openMllp } from '../../test/support/mllpClient.js';
import { openMllpTls } from '../../test/support/mllpTlsClient.js';
import { sampleBytes } from '../../test/support/samples.js';
import { createThrowawayCa, type IssuedCertificate, type ThrowawayCa } from '../../test/support/throwawayCa.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { createHl7Listener, type Hl7Listener } from './hl7Listener.js';
import type { MllpListenConfig } from './mllpListenConfig.js';

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

/** The discharge sample sends MSH-3 PAS, MSH-4 RXX01. */
const message = sampleBytes('hl7v2/adt_a03_discharge.hl7');
const withSendingApplication = (application: string): Uint8Array =>
  Buffer.from(
    Buffer.from(message)
      .toString('latin1')
      .replace(/^MSH\|\^~\\&\|PAS\|/, `MSH|^~\\&|${application}|`),
    'latin1',
  );

let ca: ThrowawayCa;
let pasClient: IssuedCertificate;
let strangerClient: IssuedCertificate;
let listener: Hl7Listener | undefined;
let client: MllpClient | undefined;
let ingested = 0;

const ingest: IngestService = {
  async ingest(inbound): Promise<IngestOutcome> {
    ingested += 1;
    return {
      kind: 'ignored',
      correlationId: inbound.correlationId,
      receiptId: inbound.receiptId,
      reason: 'test',
    } as IngestOutcome;
  },
  redrive: async () => undefined,
  idle: async () => undefined,
  releaseResolvable: async () => undefined,
  close: async () => undefined,
};

beforeAll(() => {
  ca = createThrowawayCa();
  pasClient = ca.client('pas', '/CN=pas.trust.nhs.uk/O=Trust');
  strangerClient = ca.client('stranger', '/CN=stranger.example');
});
afterAll(() => ca.remove());
afterEach(async () => {
  client?.close();
  client = undefined;
  await listener?.close();
  listener = undefined;
  ingested = 0;
});

function sendersFile(senders: readonly object[]): string {
  return ca.write(`senders-${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ senders }));
}

async function start(transport: Partial<MllpListenConfig> & { readonly caFile?: string }) {
  const { caFile, ...rest } = transport;
  listener = createHl7Listener(
    {
      ...OPTIONS,
      transport: {
        tls: { certFile: ca.server.certFile, keyFile: ca.server.keyFile, caFile },
        plainPort: undefined,
        sendersFile: undefined,
        ...rest,
      },
    },
    { ingest, clock: () => new Date(), logger: createLogger('silent') },
  );
  return (await listener.listen()).port;
}

describe('MLLP over TLS', () => {
  test('without MLLP_TLS_CA_FILE a client without a certificate is served, and a declared address may send', async () => {
    const port = await start({
      sendersFile: sendersFile([{ name: 'pas', addresses: ['127.0.0.1'], sendingApplications: ['PAS'] }]),
    });
    client = await openMllpTls({ port, ca: ca.ca });
    expect(msaOf(await client.send(message)).code).toBe('AA');
    expect(ingested).toBe(1);
  });

  test('with MLLP_TLS_CA_FILE a client without a certificate gets no ACK: the handshake is refused', async () => {
    const port = await start({
      caFile: ca.caFile,
      sendersFile: sendersFile([{ name: 'pas', addresses: ['127.0.0.1'] }]),
    });
    const attempt = async () => {
      client = await openMllpTls({ port, ca: ca.ca });
      return client.send(message);
    };
    await expect(attempt()).rejects.toThrow();
    expect(ingested).toBe(0);
    expect(listener?.refusedSenders()).toBe(0);
  });

  test('with MLLP_TLS_CA_FILE a client certificate whose subject is declared may send its MSH-3', async () => {
    const port = await start({
      caFile: ca.caFile,
      sendersFile: sendersFile([
        { name: 'pas', certificateSubjects: ['CN=pas.trust.nhs.uk'], sendingApplications: ['PAS'] },
      ]),
    });
    client = await openMllpTls({ port, ca: ca.ca, cert: pasClient.cert, key: pasClient.key });
    expect(msaOf(await client.send(message)).code).toBe('AA');
    expect(ingested).toBe(1);
  });

  test('a verified certificate whose subject no sender declares gets AR 204 saying not to resend', async () => {
    const port = await start({
      caFile: ca.caFile,
      sendersFile: sendersFile([{ name: 'pas', certificateSubjects: ['CN=pas.trust.nhs.uk'] }]),
    });
    client = await openMllpTls({ port, ca: ca.ca, cert: strangerClient.cert, key: strangerClient.key });
    const ack = await client.send(message);
    expect(msaOf(ack)).toEqual({ code: 'AR', controlId: '100187' });
    expect(errOf(ack)).toContain('204^Unknown key identifier^HL70357');
    expect(errOf(ack)).toContain('|undeclared-sender|');
    expect(ack).toContain('not a declared sender: do not resend, ask the receiving team');
    expect(ingested).toBe(0);
    expect(listener?.refusedSenders()).toBe(1);
  });

  test('a peer whose address is not in the allow-list gets AR 204 on every message, and nothing is stored', async () => {
    const port = await start({
      sendersFile: sendersFile([{ name: 'pas', addresses: ['10.0.0.5'], sendingApplications: ['PAS'] }]),
    });
    client = await openMllpTls({ port, ca: ca.ca });
    for (let i = 0; i < 2; i += 1) {
      const ack = await client.send(message);
      expect(msaOf(ack).code).toBe('AR');
      expect(errOf(ack)).toMatch(/^ERR\|\|\|204\^Unknown key identifier\^HL70357\|E\|undeclared-sender\|/);
    }
    expect(ingested).toBe(0);
    expect(listener?.refusedSenders()).toBe(2);
  });

  test("a message claiming another sender's MSH-3 gets AR 204 located at MSH-3; its own still goes through", async () => {
    const port = await start({
      sendersFile: sendersFile([
        { name: 'pas', addresses: ['127.0.0.1'], sendingApplications: ['PAS'] },
        { name: 'pharmacy', addresses: ['10.0.0.7'], sendingApplications: ['EPMA'] },
      ]),
    });
    client = await openMllpTls({ port, ca: ca.ca });
    const refused = await client.send(withSendingApplication('EPMA'));
    expect(msaOf(refused).code).toBe('AR');
    expect(errOf(refused)).toMatch(/^ERR\|\|MSH\^1\^3\|204\^/);
    expect(refused).toContain('belongs to another sender');
    expect(msaOf(await client.send(message)).code).toBe('AA');
    expect(ingested).toBe(1);
  });

  test('a plain listener beside TLS serves plain MLLP on 127.0.0.1; the TLS port does not speak plain MLLP', async () => {
    const port = await start({
      plainPort: 0,
      sendersFile: sendersFile([{ name: 'local-engine', addresses: ['127.0.0.1'], sendingApplications: ['PAS'] }]),
    });
    const plainPort = listener?.plainAddress()?.port;
    expect(listener?.plainAddress()?.address).toBe('127.0.0.1');
    if (plainPort === undefined) throw new Error('no plain listener');
    client = await openMllp(plainPort);
    expect(msaOf(await client.send(message)).code).toBe('AA');
    client.close();
    client = await openMllp(port);
    await expect(client.send(message)).rejects.toThrow();
    expect(ingested).toBe(1);
  });
});

describe('the refusal log line', () => {
  test('names the peer and what it claimed, once a minute per peer with a count, and carries no patient data', async () => {
    const lines: string[] = [];
    listener = createHl7Listener(
      {
        ...OPTIONS,
        transport: {
          tls: undefined,
          plainPort: undefined,
          sendersFile: sendersFile([{ name: 'pas', addresses: ['10.0.0.5'] }]),
        },
      },
      {
        ingest,
        clock: () => new Date(),
        logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
      },
    );
    client = await openMllp((await listener.listen()).port);
    expect(msaOf(await client.send(message)).code).toBe('AR');
    expect(msaOf(await client.send(message)).code).toBe('AR');
    const refusals = lines.filter((line) => line.includes('undeclared sender'));
    expect(refusals).toHaveLength(1);
    expect(JSON.parse(refusals[0] ?? '{}')).toMatchObject({
      peer: '127.0.0.1',
      transport: 'plain',
      refusal: 'undeclared-peer',
      sendingApplication: 'PAS',
      sendingFacility: 'RXX01',
      refusedSinceLastLine: 0,
      refusedSinceStart: 1,
    });
    expect(listener.refusedSenders()).toBe(2);
    for (const identifier of ['9991000216', 'TESTPATIENT', '19580614', 'Synthetic']) {
      expect(lines.join('\n')).not.toContain(identifier);
    }
  });
});

describe('the listener refuses to start on unusable files, naming the variable', () => {
  test.each([
    {
      variable: 'MLLP_TLS_CERT_FILE',
      transport: () => ({ tls: { certFile: '/nonexistent/cert.pem', keyFile: ca.server.keyFile, caFile: undefined } }),
    },
    {
      variable: 'MLLP_TLS_CA_FILE',
      transport: () => ({
        tls: { certFile: ca.server.certFile, keyFile: ca.server.keyFile, caFile: '/nonexistent/ca.pem' },
      }),
    },
    { variable: 'MLLP_SENDERS_FILE', transport: () => ({ sendersFile: sendersFile([{ name: 'pas' }]) }) },
  ])('$variable', ({ variable, transport }) => {
    const create = () =>
      createHl7Listener(
        { ...OPTIONS, transport: { tls: undefined, plainPort: undefined, sendersFile: undefined, ...transport() } },
        { ingest, clock: () => new Date(), logger: createLogger('silent') },
      );
    expect(create).toThrow(ConfigError);
    try {
      create();
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });
});
