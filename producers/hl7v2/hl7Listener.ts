/**
 * Wires the MLLP server to the ingest pipeline: each frame becomes an inbound message, goes
 * through ingest, and its outcome becomes the ACK (AA only after Kafka acknowledged the
 * events and the raw receipt). I/O.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/logger.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { type AckAnswer, buildAck } from './buildAck.js';
import { headerOfFrame, MLLP_ENDPOINT } from './interpretHl7.js';
import { createMllpServer, type MllpServer, type MllpServerOptions } from './mllpServer.js';

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
  options: MllpServerOptions,
  deps: { readonly ingest: IngestService; readonly clock: () => Date; readonly logger: Logger },
): MllpServer {
  const encoder = new TextEncoder();
  return createMllpServer(
    options,
    {
      async onMessage(frame, connection) {
        const header = headerOfFrame(frame);
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
      },
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
}
