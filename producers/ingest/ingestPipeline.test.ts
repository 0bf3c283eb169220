/**
 * The pipeline with its I/O replaced by fakes (ledger, publisher, held inputs): what it
 * publishes, records and answers for a message, through the JSON channel's real interpreter.
 */
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { sampleBytes } from '../../test/support/samples.js';
import { interpretJsonEvent, mapJsonSubmission } from '../json/interpretJsonEvent.js';
import { PublishUnavailableError } from '../publish/kafkaPublisher.js';
import type { Rejection } from '../rejection.js';
import type { InboundMessage } from './inboundMessage.js';
import type { Accepted, KnownFacts, LearnedMapping } from './ingestLedger.js';
import { createIngestPipeline } from './ingestPipeline.js';
import type { IngestUnit, Interpretation } from './ingestService.js';
import { jsonContentHash, parseCanonicalJson } from './sourceContent.js';

const logger = createLogger('silent');
const sample = JSON.parse(Buffer.from(sampleBytes('json/medication_event.json')).toString('utf8')) as {
  data: Record<string, unknown>;
};
const body = (change: Record<string, unknown> = {}) => ({ ...sample, data: { ...sample.data, ...change } });

let received = 0;
const message = (json: unknown, raw?: string): InboundMessage => {
  received += 1;
  return {
    receiptId: `00000000-0000-4000-8000-${String(received).padStart(12, '0')}`,
    receivedAt: new Date('2026-03-01T09:00:00Z'),
    channel: 'JSON',
    endpoint: 'json',
    contentType: 'application/json',
    payload: Buffer.from(raw ?? JSON.stringify(json)),
    correlationId: `c${received}`,
    remoteAddress: null,
    messageType: null,
    messageId: null,
  };
};

/** A non-atomic message for the test: a JSON array of submissions, each its own unit (as a FHIR batch's entries). */
function interpretBatch(message: InboundMessage): Interpretation {
  const units: IngestUnit[] = [];
  for (const item of JSON.parse(Buffer.from(message.payload).toString('utf8')) as unknown[]) {
    const text = JSON.stringify(item);
    const mapped = mapJsonSubmission({ ...message, payload: Buffer.from(text) }, 'json-api');
    if (!mapped.ok) throw new Error(mapped.error.reason);
    units.push({
      ...mapped.value,
      content: { hash: jsonContentHash(parseCanonicalJson(text)), location: `/${units.length}` },
    });
  }
  return { kind: 'facts', units, atomic: false };
}

/** A pipeline over an in-memory ledger: what it published, kept as rejected, and recorded. */
function pipelineUnderTest(options: { readonly failPublish?: boolean } = {}) {
  const published: ClinicalEvent[] = [];
  const rejected: Rejection[] = [];
  const recorded: Accepted[] = [];
  const ledger = {
    async readKnownFacts(
      patients: readonly unknown[],
      dedupKeys: readonly string[],
      identities: readonly string[],
    ): Promise<KnownFacts> {
      const keys = new Set(recorded.flatMap((r) => r.events.map((e) => e.dedupKey)));
      const hashes = new Map(recorded.flatMap((r) => r.sources.map((s) => [s.identity, s.contentHash] as const)));
      return {
        mappingsByPatient: patients.map(() => []),
        published: new Set(dedupKeys.filter((k) => keys.has(k))),
        contentHashes: new Map(identities.flatMap((i) => (hashes.has(i) ? [[i, hashes.get(i) ?? '']] : []))),
      };
    },
    async recordAccepted(accepted: Accepted): Promise<readonly LearnedMapping[]> {
      recorded.push(accepted);
      return [];
    },
  };
  const run = createIngestPipeline({
    publisher: {
      publishReceipt: async () => undefined,
      publishRejected: async () => undefined,
      publishEvents: async (events) => {
        if (options.failPublish === true && events.length > 0) throw new PublishUnavailableError('canonical');
        published.push(...events);
      },
      close: async () => undefined,
    },
    interpreters: new Map([
      ['json', { interpret: interpretJsonEvent, answerOf: (r: Rejection) => r.kind }],
      ['batch', { interpret: interpretBatch, answerOf: (r: Rejection) => r.kind }],
    ]),
    logger,
    ledger,
    held: {
      keepRejected: async (_message, rejection) => {
        rejected.push(rejection);
        return rejected.length;
      },
      parkInput: async () => 1,
      resolveParked: async () => undefined,
    },
    parked: () => undefined,
    learned: () => undefined,
  });
  return { run: (m: InboundMessage) => run(m, undefined), published, rejected, recorded };
}

describe('the ingest pipeline', () => {
  test('a new message is published, then recorded with its identity and content hash', async () => {
    const p = pipelineUnderTest();
    const outcome = await p.run(message(body()));
    expect(outcome.kind).toBe('accepted');
    expect(p.published).toHaveLength(1);
    const key = (sample as { idempotencyKey?: string }).idempotencyKey ?? '';
    expect(p.recorded[0]?.sources).toEqual([
      { identity: `json|${encodeURIComponent(key)}`, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  test('the same body, re-serialised, is a duplicate', async () => {
    const p = pipelineUnderTest();
    await p.run(message(body()));
    const outcome = await p.run(message(undefined, JSON.stringify(body(), null, 4)));
    expect(outcome.kind).toBe('duplicate');
    expect(p.published).toHaveLength(1);
  });

  test('the same Idempotency-Key with another body is refused, kept as rejected, and nothing is published', async () => {
    const p = pipelineUnderTest();
    await p.run(message(body()));
    const outcome = await p.run(message(body({ dose: '80' })));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      rejection: { kind: 'reused-identifier', location: '/idempotencyKey' },
    });
    expect(p.rejected.map((r) => r.kind)).toEqual(['reused-identifier']);
    expect(p.published).toHaveLength(1);
  });

  test('a refused publish answers "resend" and records nothing', async () => {
    const p = pipelineUnderTest({ failPublish: true });
    expect((await p.run(message(body()))).kind).toBe('unavailable');
    expect(p.recorded).toEqual([]);
  });

  test('in a non-atomic message, a unit with a reused identity is refused in place and the rest is taken', async () => {
    const p = pipelineUnderTest();
    await p.run(message(body()));
    const other = { ...body(), idempotencyKey: 'another-key' };
    const outcome = await p.run({ ...message([body({ dose: '80' }), other]), endpoint: 'batch' });
    expect(outcome).toMatchObject({
      kind: 'accepted',
      refusedUnits: [{ unit: 0, rejection: { kind: 'reused-identifier', location: '/0' } }],
    });
    expect(p.published.map((e) => e.dedupKey)).toEqual([expect.any(String), 'json|another-key']);
    // The message is kept as rejected for its refused part; the refusal is not recorded as content.
    expect(p.rejected).toEqual([
      expect.objectContaining({ kind: 'reused-identifier', reason: expect.stringMatching(/^1 part not taken: /) }),
    ]);
    expect(p.recorded[1]?.sources.map((s) => s.identity)).toEqual(['json|another-key']);
  });

  test('two copies of one identity in flight together: the second reads what the first recorded', async () => {
    const p = pipelineUnderTest();
    const [first, changed, resend] = await Promise.all([
      p.run(message(body())),
      p.run(message(body({ dose: '80' }))),
      p.run(message(body())),
    ]);
    expect([first.kind, changed.kind, resend.kind]).toEqual(['accepted', 'rejected', 'duplicate']);
    expect(p.published).toHaveLength(1);
  });
});
