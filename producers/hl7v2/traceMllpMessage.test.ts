import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { useSpanExporter } from '../../platform/tracing.js';
import type { MllpConnectionInfo } from './mllpServer.js';
import { ackCodeOf, traceMllpMessages } from './traceMllpMessage.js';

const exporter = new InMemorySpanExporter();
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  exporter.reset();
});

const connection: MllpConnectionInfo = {
  remoteAddress: '127.0.0.1:50000',
  peer: '127.0.0.1',
  transport: 'plain',
  certificateSubject: undefined,
};
const message = new TextEncoder().encode(
  'MSH|^~\\&|PAS|RXH|CEL|NHS|20260101120000||ADT^A03^ADT_A03|MSG-00042|P|2.5\rEVN|A03|20260101120000\rPID|||9434765919^^^NHS^NH\r',
);
const ack = new TextEncoder().encode('MSH|^~\\&|CEL|NHS|PAS|RXH|20260101120001||ACK^A03|abc|P|2.5\rMSA|AA|MSG-00042\r');

describe('MLLP message spans', () => {
  test('ackCodeOf reads MSA-1 whatever the separator', () => {
    expect(ackCodeOf(ack)).toBe('AA');
    expect(ackCodeOf(new TextEncoder().encode('MSH#...\rMSA#AR#X\r'))).toBe('AR');
    expect(ackCodeOf(new TextEncoder().encode('MSH|x\r'))).toBeUndefined();
  });

  test('a root server span with MSH-10, the type, the sender and the ACK code; no patient data', async () => {
    stop = useSpanExporter(exporter).shutdown;
    const handler = traceMllpMessages(async () => ack);
    expect(await handler(message, connection)).toBe(ack);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('mllp receive ADT^A03');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes).toMatchObject({
      'hl7.msh10': 'MSG-00042',
      'hl7.message_type': 'ADT^A03',
      'hl7.sending_application': 'PAS',
      'hl7.sending_facility': 'RXH',
      'hl7.ack_code': 'AA',
      'mllp.transport': 'plain',
    });
    expect(JSON.stringify(span?.attributes)).not.toContain('9434765919');
  });

  test('an unreadable frame still gets a span, without MSH attributes', async () => {
    stop = useSpanExporter(exporter).shutdown;
    await traceMllpMessages(async () => ack)(new TextEncoder().encode('garbage'), connection);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('mllp receive');
    expect(span?.attributes['hl7.msh10']).toBeUndefined();
  });

  test('tracing off: the handler alone', async () => {
    expect(await traceMllpMessages(async () => ack)(message, connection)).toBe(ack);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
