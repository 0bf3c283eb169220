/**
 * Wires the MLLP server to the ingest pipeline: each frame becomes an inbound message, goes
 * through ingest, and its outcome becomes the ACK (AA only after Kafka acknowledged the
 * events and the raw receipt). Before ingest, the sender allow-list: a message from a peer
 * that is not a declared sender, or claiming an MSH-3/MSH-4 its sender may not, is answered
 * AR 204 "do not resend", logged (peer, sender, MSH-3/MSH-4, never content) and counted, and
 * not stored. Reads the TLS and senders files at creation. I/O.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { type AckAnswer, buildAck } from './buildAck.js';
import { headerOfFrame, MLLP_ENDPOINT } from './interpretHl7.js';
import { type MllpListenConfig, PLAIN_MLLP_HOST } from './mllpListenConfig.js';
import { checkMllpSender, developmentSenders, type MllpSenders, parseMllpSenders } from './mllpSenders.js';
import {
  createMllpServer,
  type MllpConnectionInfo,
  type MllpServer,
  type MllpServerOptions,
  type MllpTlsMaterial,
} from './mllpServer.js';
import { createRefusalLog } from './peerConnectionCap.js';
import type { Hl7Header } from './readHl7Header.js';
import { traceMllpMessages } from './traceMllpMessage.js';

export type Hl7ListenerOptions = Omit<MllpServerOptions, 'tls' | 'plain'> & {
  /** TLS, the loopback plain listener and the senders file (MLLP_TLS_*, MLLP_PLAIN_PORT, MLLP_SENDERS_FILE); none when absent. */
  readonly transport?: MllpListenConfig | undefined;
};

export type Hl7Listener = MllpServer & {
  /** Messages refused as not from a declared sender since start. */
  readonly refusedSenders: () => number;
};

const REFUSED_SENDER_LOG_INTERVAL_MS = 60_000;

function readConfigFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError([
      { variable, message: `"${path}": cannot be read (${error instanceof Error ? error.message : String(error)})` },
    ]);
  }
}

function loadTls(transport: MllpListenConfig | undefined): MllpTlsMaterial | undefined {
  const tls = transport?.tls;
  if (tls === undefined) return undefined;
  return {
    cert: readConfigFile('MLLP_TLS_CERT_FILE', tls.certFile),
    key: readConfigFile('MLLP_TLS_KEY_FILE', tls.keyFile),
    ca: tls.caFile === undefined ? undefined : readConfigFile('MLLP_TLS_CA_FILE', tls.caFile),
  };
}

function loadSenders(transport: MllpListenConfig | undefined): MllpSenders {
  const file = transport?.sendersFile;
  if (file === undefined) return developmentSenders;
  const parsed = parseMllpSenders(readConfigFile('MLLP_SENDERS_FILE', file).toString('utf8'));
  if (!parsed.ok) throw new ConfigError([{ variable: 'MLLP_SENDERS_FILE', message: `"${file}": ${parsed.error}` }]);
  return parsed.value;
}

const isLoopback = (host: string): boolean => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(host);

export function answerOf(outcome: IngestOutcome): AckAnswer {
  switch (outcome.kind) {
    case 'accepted':
      return { kind: 'accepted' };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'parked':
      return { kind: 'parked', on: outcome.reason.reason };
    case 'ignored':
      return { kind: 'ignored' };
    case 'rejected':
      return { kind: 'rejected', rejection: outcome.rejection };
    case 'unavailable':
      return { kind: 'unavailable', reason: outcome.reason };
  }
}

export function createHl7Listener(
  options: Hl7ListenerOptions,
  deps: { readonly ingest: IngestService; readonly clock: () => Date; readonly logger: Logger },
): Hl7Listener {
  const encoder = new TextEncoder();
  const { transport, ...serverOptions } = options;
  const tls = loadTls(transport);
  const senders = loadSenders(transport);
  const log = deps.logger.child({ module: 'mllp' });
  if (senders.kind === 'development' && !isLoopback(options.host)) {
    log.warn(
      { host: options.host },
      'MLLP_SENDERS_FILE is unset: any sender that reaches the MLLP port may send any MSH-3/MSH-4; declare the senders',
    );
  }
  const refusals = createRefusalLog(REFUSED_SENDER_LOG_INTERVAL_MS);
  let refusedSenders = 0;

  /** The refusal when the connection or the message's MSH-3/MSH-4 is not a declared sender's; undefined when allowed. */
  const refusalOf = (header: Hl7Header | undefined, connection: MllpConnectionInfo): AckAnswer | undefined => {
    const decision = checkMllpSender(
      senders,
      { transport: connection.transport, address: connection.peer, certificateSubject: connection.certificateSubject },
      { sendingApplication: header?.sendingApplication ?? '', sendingFacility: header?.sendingFacility ?? '' },
    );
    if (decision.kind === 'allowed') return undefined;
    // An unreadable MSH from a declared peer is ingest's to answer (AR, kept as rejected).
    if (decision.kind === 'unclaimable' && header === undefined) return undefined;
    refusedSenders += 1;
    const now = Date.now();
    // Bounded memory: peers not refused for an interval are forgotten, with their closing count.
    for (const { key, unlogged } of refusals.prune(now)) {
      log.warn({ peer: key, refusedSinceLastLine: unlogged }, 'MLLP messages from undeclared senders refused');
    }
    const note = refusals.note(connection.peer, now);
    if (note.log) {
      // Who and what it claimed, never content: MSH-3/MSH-4 name systems, not patients.
      log.warn(
        {
          peer: connection.peer,
          transport: connection.transport,
          certificateCN: connection.certificateSubject?.CN,
          refusal: decision.kind,
          senders: decision.kind === 'unclaimable' ? decision.senders : undefined,
          owner: decision.kind === 'unclaimable' ? decision.owner : undefined,
          sendingApplication: header?.sendingApplication,
          sendingFacility: header?.sendingFacility,
          refusedSinceLastLine: note.unlogged,
          refusedSinceStart: refusedSenders,
        },
        'MLLP message from an undeclared sender; answered AR, not stored',
      );
    }
    return decision.kind === 'undeclared-peer'
      ? {
          kind: 'refused-sender',
          location: '',
          reason: `the connection (${connection.transport}) is no declared sender`,
        }
      : {
          kind: 'refused-sender',
          location: decision.location,
          reason:
            decision.owner === undefined
              ? `${decision.location} is not one this sender may send`
              : `${decision.location} belongs to another sender`,
        };
  };

  const server = createMllpServer(
    {
      ...serverOptions,
      tls,
      plain:
        tls !== undefined && transport?.plainPort !== undefined
          ? { host: PLAIN_MLLP_HOST, port: transport.plainPort }
          : undefined,
    },
    {
      onMessage: traceMllpMessages(async (frame, connection) => {
        const header = headerOfFrame(frame);
        const refused = refusalOf(header, connection);
        if (refused !== undefined) {
          return encoder.encode(buildAck(header, refused, { controlId: randomUUID().slice(0, 20), now: deps.clock() }));
        }
        const correlationId = randomUUID();
        let answer: AckAnswer;
        try {
          const outcome = await deps.ingest.ingest({
            receiptId: randomUUID(),
            receivedAt: deps.clock(),
            channel: 'HL7V2',
            endpoint: MLLP_ENDPOINT,
            contentType: 'x-application/hl7-v2+er7',
            payload: frame,
            correlationId,
            remoteAddress: connection.remoteAddress,
            messageType: header === undefined ? null : `${header.messageCode}^${header.triggerEvent}`,
            messageId: header?.controlId ?? null,
          });
          answer = answerOf(outcome);
        } catch (error) {
          // PostgreSQL unreachable, or a fault of ours: not accepted, so the sender must send it
          // again (AR 207) rather than wait for an ACK that never comes. A resend after events
          // reached the log is a duplicate the dedup and the views absorb; nothing is lost.
          deps.logger.error({ err: error, correlationId }, 'HL7 message not processed; answered AR for a resend');
          answer = { kind: 'unavailable', reason: 'the message could not be processed now' };
        }
        return encoder.encode(buildAck(header, answer, { controlId: randomUUID().slice(0, 20), now: deps.clock() }));
      }),
      onOversized(_connection, maxFrameBytes) {
        return encoder.encode(
          buildAck(
            undefined,
            {
              kind: 'rejected',
              rejection: {
                kind: 'unparseable',
                location: 'MSH',
                reason: `the message exceeds the maximum frame size of ${maxFrameBytes} bytes`,
              },
            },
            { controlId: randomUUID().slice(0, 20), now: deps.clock() },
          ),
        );
      },
    },
    deps.logger,
  );
  return { ...server, refusedSenders: () => refusedSenders };
}
