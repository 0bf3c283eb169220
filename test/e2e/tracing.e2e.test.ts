/**
 * Traces end to end, with an in-memory exporter installed before the service starts: one HL7
 * message over MLLP makes one trace from its receipt (`hl7.msh10` = its MSH-10) through the
 * Kafka writes to the GP view's and the audit index's apply; an HTTP request's `traceparent`
 * puts the request and everything it causes in the caller's trace. With tracing off nothing is
 * exported and the records carry no trace headers.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, vi } from 'vitest';
import { createKafkaClient, fetchPartitionOffsets } from '../../platform/kafka.js';
import { type TracingHandle, useSpanExporter } from '../../platform/tracing.js';
import { headerOfFrame } from '../../producers/hl7v2/interpretHl7.js';
import { topicNames } from '../../schemas/topics.js';
import { msaOf, openMllp } from '../support/mllpClient.js';
import { sampleBytes } from '../support/samples.js';
import { type ServiceUnderTest, serviceTest as test } from '../support/serviceUnderTest.js';
import { kafkaConnectionFor } from '../support/testKafka.js';
import { uniqueName } from '../support/uniqueName.js';

const HL7_SAMPLE = 'hl7v2/adt_a03_discharge.hl7';
const FHIR_SAMPLE = 'fhir/encounter_finished.json';
const exporter = new InMemorySpanExporter();

const spans = (): readonly ReadableSpan[] => exporter.getFinishedSpans();
const inTrace = (traceId: string) => spans().filter((s) => s.spanContext().traceId === traceId);
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

async function sendHl7(service: ServiceUnderTest, bytes: Uint8Array): Promise<string> {
  const client = await openMllp(service.mllpPort);
  try {
    return msaOf(await client.send(bytes)).code;
  } finally {
    client.close();
  }
}

/** The headers of every record on the service's canonical topic, read from offset 0 to the end. */
async function canonicalHeaders(service: ServiceUnderTest): Promise<readonly Record<string, string>[]> {
  const topic = topicNames(service.namespace).canonical;
  const kafka = createKafkaClient({
    ...(await kafkaConnectionFor(service.brokers)).connection,
    clientId: 'e2e-headers',
  });
  const expected = (await fetchPartitionOffsets(kafka, topic)).reduce((n, p) => n + Number(p.high), 0);
  const headers: Record<string, string>[] = [];
  if (expected === 0) return headers;
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-headers') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        headers.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v?.toString())])),
        );
        if (headers.length >= expected) resolve();
      },
    });
  });
  await consumer.disconnect();
  return headers;
}

describe('tracing on', () => {
  let tracing: TracingHandle | undefined;
  beforeAll(() => {
    tracing = useSpanExporter(exporter);
  });
  afterAll(async () => {
    await tracing?.shutdown();
    exporter.reset();
  });

  test('one HL7 message: one trace from the MLLP receipt to the GP view and the audit index', async ({ service }) => {
    const bytes = sampleBytes(HL7_SAMPLE);
    const msh10 = headerOfFrame(bytes)?.controlId;
    expect(msh10).toBeTruthy();
    expect(await sendHl7(service, bytes)).toBe('AA');

    // Support's way in: the span whose hl7.msh10 is the sender's control id.
    const receipt = spans().find((s) => s.attributes['hl7.msh10'] === msh10);
    expect(receipt?.name).toBe('mllp receive ADT^A03');
    expect(receipt?.parentSpanContext).toBeUndefined();
    expect(receipt?.attributes).toMatchObject({
      'hl7.message_type': 'ADT^A03',
      'hl7.sending_application': 'PAS',
      'hl7.sending_facility': 'RXX01',
      'hl7.ack_code': 'AA',
    });
    const traceId = receipt?.spanContext().traceId ?? '';

    const named = (name: string) => inTrace(traceId).find((s) => s.name === name);
    // The whole trace: the receipt, its two Kafka writes, and every consumer of those records.
    await vi.waitFor(
      () =>
        expect([...new Set(inTrace(traceId).map((s) => s.name))].sort()).toEqual([
          'apply audit-index',
          'apply audit-receipts',
          'apply care-plan-view',
          'apply gp-view',
          'apply pharmacy-view',
          'mllp receive ADT^A03',
          'publish canonical',
          'publish raw',
        ]),
      { timeout: 60_000, interval: 100 },
    );
    const publishRaw = named('publish raw');
    const publishCanonical = named('publish canonical');
    expect(parentOf(publishRaw)).toBe(idOf(receipt));
    expect(parentOf(publishCanonical)).toBe(idOf(receipt));
    expect(publishCanonical?.attributes['messaging.destination.name']).toBe(topicNames(service.namespace).canonical);
    expect(parentOf(named('apply gp-view'))).toBe(idOf(publishCanonical));
    expect(parentOf(named('apply audit-index'))).toBe(idOf(publishCanonical));
    expect(parentOf(named('apply audit-receipts'))).toBe(idOf(publishRaw));
    expect(named('apply gp-view')?.attributes).toMatchObject({ 'cel.view': 'gp-view', 'cel.applied': true });
    expect(named('apply audit-index')?.attributes['cel.applied']).toBe(true);
    // No NHS number in any span of the trace.
    const nhsNumber = /PID\|[^|]*\|\|(\d{10})/.exec(Buffer.from(bytes).toString('latin1'))?.[1];
    expect(nhsNumber).toBeDefined();
    expect(JSON.stringify(inTrace(traceId).map((s) => s.attributes))).not.toContain(nhsNumber);

    // The records carry the trace.
    const traced = (await canonicalHeaders(service)).filter((h) => h.traceparent?.includes(traceId));
    expect(traced.length).toBeGreaterThan(0);
  });

  test("an HTTP request's traceparent: the request, its Kafka writes and the views' applies join the caller's trace", async ({
    service,
  }) => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await fetch(`${service.httpUrl}/fhir/Encounter`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
        tracestate: 'caller=1',
        ...(await service.authHeader('integration')),
      },
      body: Buffer.from(sampleBytes(FHIR_SAMPLE)),
    });
    expect(response.status).toBe(201);
    await vi.waitFor(() => expect(inTrace(traceId).map((s) => s.name)).toContain('apply gp-view'), {
      timeout: 60_000,
      interval: 100,
    });
    const server = inTrace(traceId).find((s) => s.name === 'POST /fhir/Encounter');
    expect(parentOf(server)).toBe(callerSpan);
    expect(server?.attributes).toMatchObject({
      'http.route': '/fhir/Encounter',
      'http.response.status_code': 201,
      'fhir.resource_id': 'enc-d4-9001',
    });
    const publishCanonical = inTrace(traceId).find((s) => s.name === 'publish canonical');
    expect(parentOf(publishCanonical)).toBe(idOf(server));
    expect(parentOf(inTrace(traceId).find((s) => s.name === 'apply gp-view'))).toBe(idOf(publishCanonical));
  });
});

describe('tracing off', () => {
  test('nothing is exported and no record carries trace headers', async ({ service }) => {
    exporter.reset();
    expect(await sendHl7(service, sampleBytes(HL7_SAMPLE))).toBe('AA');
    const response = await fetch(`${service.httpUrl}/fhir/Encounter`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        ...(await service.authHeader('integration')),
      },
      body: Buffer.from(sampleBytes(FHIR_SAMPLE)),
    });
    expect(response.status).toBe(201);
    await expect
      .poll(async () => (await service.api.get('/health')).body, { timeout: 30_000, interval: 200 })
      .toMatchObject({ viewLag: { 'gp-view': 0, 'audit-index': 0 } });
    const headers = await canonicalHeaders(service);
    expect(headers.length).toBeGreaterThan(0);
    for (const record of headers) {
      expect(record['correlation-id']).toBeDefined();
      expect(record.traceparent).toBeUndefined();
      expect(record.tracestate).toBeUndefined();
    }
    expect(spans()).toEqual([]);
  });
});
