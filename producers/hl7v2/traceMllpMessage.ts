/**
 * Traces the MLLP listener's messages: each received frame gets a server span, the root of
 * its trace (HL7 v2 carries no trace context), named `mllp receive <MSH-9>` with the control
 * id (`hl7.msh10`: support goes from a sender's control id to its trace), the message type and
 * the sending application and facility (systems, not patients), and the ACK code it was
 * answered with. The span ends when the ACK is handed back to be written. Tracing off: the
 * handler runs as it is. I/O through the handler.
 */
import { type Attributes, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { inSpan, tracingEnabled } from '../../platform/tracing.js';
import { headerOfFrame } from './interpretHl7.js';
import type { MllpConnectionInfo, MllpHandlers } from './mllpServer.js';
import type { Hl7Header } from './readHl7Header.js';

/** The span attributes of a message's MSH (empty when it has no readable MSH). */
export function mllpSpanAttributes(header: Hl7Header | undefined, connection: MllpConnectionInfo): Attributes {
  return {
    'network.transport': 'tcp',
    'network.peer.address': connection.peer,
    'mllp.transport': connection.transport,
    ...(header === undefined
      ? {}
      : {
          'hl7.msh10': header.controlId,
          'hl7.message_type': messageTypeOf(header),
          'hl7.sending_application': header.sendingApplication,
          'hl7.sending_facility': header.sendingFacility,
          'hl7.version': header.version,
        }),
  };
}

const messageTypeOf = (header: Hl7Header): string =>
  header.triggerEvent === '' ? header.messageCode : `${header.messageCode}^${header.triggerEvent}`;

/** MSA-1 of an ACK (AA, AE, AR …), whatever its field separator; undefined when it has no MSA. */
export function ackCodeOf(ack: Uint8Array): string | undefined {
  return /(?:^|\r)MSA(?:.)([A-Z]{2})/s.exec(Buffer.from(ack).toString('latin1'))?.[1];
}

export function traceMllpMessages(onMessage: MllpHandlers['onMessage']): MllpHandlers['onMessage'] {
  return (frame, connection) => {
    if (!tracingEnabled()) return onMessage(frame, connection);
    const header = headerOfFrame(frame);
    const name = header === undefined ? 'mllp receive' : `mllp receive ${messageTypeOf(header)}`;
    return inSpan(
      name,
      { kind: SpanKind.SERVER, attributes: mllpSpanAttributes(header, connection) },
      ROOT_CONTEXT,
      async (span) => {
        const ack = await onMessage(frame, connection);
        const code = ackCodeOf(ack);
        if (code !== undefined) span.setAttribute('hl7.ack_code', code);
        return ack;
      },
    );
  };
}
