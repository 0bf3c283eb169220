/**
 * The behaviour contract end to end: the sample messages sent over a real MLLP socket and
 * real HTTP to the running adapters; each answer as expected, and the canonical topic holds
 * exactly the expected events — no more (duplicates, rejects) and no fewer (parked ones are
 * released when their patient becomes known).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { type NeutralEvent, toNeutral } from '../support/neutralEvent.js';
import { type ExpectedOutcome, expectedOutcomes, SAMPLES_DIR } from '../support/samples.js';
import { deliverSample, readCanonicalEvents, serviceTest as test } from '../support/serviceUnderTest.js';

type TimelineLine = { seq: number; file: string; outcome: string; ack?: string; httpStatus?: number };

const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as TimelineLine);
const expectedByInput = new Map(expectedOutcomes().map((e) => [e.input, e]));
const sorted = (events: readonly NeutralEvent[]) => [...events].map((e) => JSON.stringify(e)).sort();

function expectedEventsOf(files: readonly string[]): NeutralEvent[] {
  return files.flatMap((file) => {
    const expected = expectedByInput.get(file) as ExpectedOutcome;
    return [...expected.events, ...(expected.outcome === 'parked' ? (expected.eventsWhenResolved ?? []) : [])];
  });
}

describe('samples through MLLP and HTTP', () => {
  test('the timeline: every answer as expected, and exactly its 31 events on the log', async ({ service }) => {
    for (const line of timeline) {
      const delivery = await deliverSample(service, line.file);
      const answer = line.ack !== undefined ? { ack: delivery.ack } : { httpStatus: delivery.httpStatus };
      expect(answer, `delivery ${line.seq}: ${line.file}`).toEqual(
        line.ack !== undefined ? { ack: line.ack } : { httpStatus: line.httpStatus },
      );
    }
    await service.ingest.idle();
    const events = await readCanonicalEvents(service);
    expect(events.length).toBe(31);
    // A delivery answered as a duplicate adds nothing, even when it is the same file as an earlier one.
    const adding = timeline.filter((l) => l.outcome !== 'duplicate').map((l) => l.file);
    expect(sorted(events.map(toNeutral))).toEqual(sorted(expectedEventsOf(adding)));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(31);
  });

  test('every sample outside the timeline, on a fresh system', async ({ service }) => {
    const inTimeline = new Set(timeline.map((l) => l.file));
    const samples = expectedOutcomes().filter((e) => !inTimeline.has(e.input) && (e.after ?? []).length === 0);
    expect(samples.length).toBeGreaterThan(10);
    for (const expected of samples) {
      const delivery = await deliverSample(service, expected.input);
      if (expected.ack !== undefined)
        expect({ file: expected.input, ack: delivery.ack }).toEqual({ file: expected.input, ack: expected.ack });
      else
        expect({ file: expected.input, status: delivery.httpStatus }).toEqual({
          file: expected.input,
          status: expected.httpStatus,
        });
    }
    await service.ingest.idle();
    const events = await readCanonicalEvents(service);
    expect(sorted(events.map(toNeutral))).toEqual(sorted(expectedEventsOf(samples.map((s) => s.input))));
  });
});
