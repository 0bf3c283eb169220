/**
 * Encode + decode of the real event types in the Confluent wire format (Avro, schema ids
 * from the real registry) against the obvious alternative, JSON text with dates revived.
 */
import { eventIdFor, jsonDedupKey } from '../core/eventIdentity.js';
import { createEventCodec } from '../platform/eventCodec.js';
import { projectSchemaRegistrations, registerSchemas } from '../platform/registerSchemas.js';
import { createRegistry } from '../platform/schemaRegistry.js';
import { type ClinicalEvent, clinicalEventTypes } from '../schemas/generated/events.js';
import { topicNames } from '../schemas/topics.js';
import { exampleEvents } from '../test/support/exampleEvents.js';
import type { Benchmark } from './benchmark.js';

const reviveDates = (key: string, value: unknown) =>
  typeof value === 'string' && /At$/.test(key) ? new Date(value) : value;

export const eventSerializationBenchmark: Benchmark = {
  name: 'event-serialization',
  async run(context) {
    const count = Math.round(200_000 * context.scale);
    const registry = createRegistry(new URL(context.registryUrl));
    const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topicNames('bench')));
    const codec = createEventCodec(registry, byEventType);
    const events: ClinicalEvent[] = Array.from({ length: 1000 }, (_, i) => {
      const base = exampleEvents[clinicalEventTypes[i % clinicalEventTypes.length] ?? 'PatientDischarged'];
      const dedupKey = jsonDedupKey(`bench-${i}`);
      return { ...base, eventId: eventIdFor(dedupKey), dedupKey, correlationId: `corr-${i}` };
    });
    // Warm the codec's schema cache, as a running consumer's would be.
    for (const e of events) await codec.decode(codec.encode(e));

    context.progress(`Avro: encode + decode ${count} events…`);
    let avroBytes = 0;
    let started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const encoded = codec.encode(events[i % events.length] as ClinicalEvent);
      avroBytes += encoded.length;
      await codec.decode(encoded);
    }
    const avroRate = count / ((performance.now() - started) / 1000);

    context.progress(`JSON: encode + decode ${count} events…`);
    let jsonBytes = 0;
    started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const encoded = Buffer.from(JSON.stringify(events[i % events.length]));
      jsonBytes += encoded.length;
      JSON.parse(encoded.toString('utf8'), reviveDates);
    }
    const jsonRate = count / ((performance.now() - started) / 1000);

    return [
      {
        metric: 'encode + decode, 8 event types (events/s)',
        unit: 'events/s',
        ours: avroRate,
        peer: jsonRate,
        peerName: 'JSON.stringify + JSON.parse (dates revived)',
        higherIsBetter: true,
      },
      {
        metric: 'bytes per event (wire format incl. 5-byte header)',
        unit: 'bytes',
        ours: avroBytes / count,
        peer: jsonBytes / count,
        peerName: 'JSON text, UTF-8',
        higherIsBetter: false,
      },
    ];
  },
};
