/**
 * MLLP over TLS with a sender allow-list, end to end: the service runs with a throwaway CA
 * (made with `openssl`), client certificates required, a senders file and a plain listener on
 * 127.0.0.1. A declared certificate's messages are accepted; a client without a certificate is
 * refused at the handshake; an undeclared certificate, an undeclared loopback peer (127.0.0.2)
 * and a message claiming another sender's MSH-3 get AR 204 "do not resend"; the local engine's
 * own messages on the plain listener are accepted.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { registryTest } from '../../registry/registryUnderTest.js';
import { errOf, msaOf, openMllp } from '../support/mllpClient.js';
import { connectMllpFrom } from '../support/mllpPeer.js';
import { openMllpTls } from '../support/mllpTlsClient.js';
import { sampleBytes } from '../support/samples.js';
import { startServiceUnderTest } from '../support/serviceUnderTest.js';
import { createThrowawayCa, type ThrowawayCa } from '../support/throwawayCa.js';

/** MSH-3 PAS, MSH-4 RXX01. */
const DISCHARGE = Buffer.from(sampleBytes('hl7v2/adt_a03_discharge.hl7')).toString('latin1');

/** The discharge sample with another MSH-3 and its own MSH-10. */
function discharge(application: string, controlId: string): Buffer {
  return Buffer.from(
    DISCHARGE.replace(/^MSH\|\^~\\&\|PAS\|/, `MSH|^~\\&|${application}|`).replace('|100187|', `|${controlId}|`),
    'latin1',
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let ca: ThrowawayCa;
beforeAll(() => {
  ca = createThrowawayCa();
});
afterAll(() => ca.remove());

describe('MLLP over TLS with declared senders', () => {
  registryTest(
    'declared certificates and the local engine are served; others get AR 204 or no handshake',
    async ({ databaseUrl, registryUrl, kafkaBrokers }) => {
      const pas = ca.client('pas', '/CN=pas.trust.nhs.uk/O=Trust');
      const stranger = ca.client('stranger', '/CN=stranger.example');
      const sendersFile = ca.write(
        'senders.json',
        JSON.stringify({
          senders: [
            {
              name: 'pas',
              certificateSubjects: ['CN=pas.trust.nhs.uk'],
              sendingApplications: ['PAS'],
              sendingFacilities: ['RXX01'],
            },
            { name: 'local-engine', addresses: ['127.0.0.1'], sendingApplications: ['LOCAL'] },
          ],
        }),
      );
      const plainPort = await freePort();
      const service = await startServiceUnderTest(
        { databaseUrl, registryUrl, kafkaBrokers },
        {
          MLLP_TLS_CERT_FILE: ca.server.certFile,
          MLLP_TLS_KEY_FILE: ca.server.keyFile,
          MLLP_TLS_CA_FILE: ca.caFile,
          MLLP_PLAIN_PORT: String(plainPort),
          MLLP_SENDERS_FILE: sendersFile,
        },
      );
      try {
        const declared = await openMllpTls({ port: service.mllpPort, ca: ca.ca, cert: pas.cert, key: pas.key });
        try {
          expect(msaOf(await declared.send(discharge('PAS', 'TLS-0001')))).toEqual({
            code: 'AA',
            controlId: 'TLS-0001',
          });
        } finally {
          declared.close();
        }

        const withoutCertificate = async () => {
          const client = await openMllpTls({ port: service.mllpPort, ca: ca.ca });
          try {
            return await client.send(discharge('PAS', 'TLS-0002'));
          } finally {
            client.close();
          }
        };
        await expect(withoutCertificate()).rejects.toThrow();

        const undeclared = await openMllpTls({
          port: service.mllpPort,
          ca: ca.ca,
          cert: stranger.cert,
          key: stranger.key,
        });
        try {
          const ack = await undeclared.send(discharge('PAS', 'TLS-0003'));
          expect(msaOf(ack)).toEqual({ code: 'AR', controlId: 'TLS-0003' });
          expect(errOf(ack)).toMatch(/\|204\^Unknown key identifier\^HL70357\|E\|undeclared-sender\|/);
          expect(ack).toContain('not a declared sender: do not resend, ask the receiving team');
        } finally {
          undeclared.close();
        }

        const local = await openMllp(plainPort);
        try {
          expect(msaOf(await local.send(discharge('LOCAL', 'PLAIN-0001'))).code).toBe('AA');
          const claimed = await local.send(discharge('PAS', 'PLAIN-0002'));
          expect(msaOf(claimed)).toEqual({ code: 'AR', controlId: 'PLAIN-0002' });
          expect(errOf(claimed)).toMatch(/^ERR\|\|MSH\^1\^3\|204\^/);
        } finally {
          local.close();
        }

        const otherLoopbackPeer = await connectMllpFrom('127.0.0.2', plainPort);
        try {
          otherLoopbackPeer.send(discharge('LOCAL', 'PLAIN-0003'));
          await expect.poll(() => otherLoopbackPeer.replies().length, { timeout: 15_000 }).toBe(1);
          expect(msaOf(otherLoopbackPeer.replies()[0] ?? '')).toEqual({ code: 'AR', controlId: 'PLAIN-0003' });
        } finally {
          otherLoopbackPeer.close();
        }
      } finally {
        await service.close();
      }
    },
  );
});
