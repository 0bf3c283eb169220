import { describe, expect, test } from 'vitest';
import { eventFromNeutral } from './eventFromNeutral.js';
import { exampleEvents } from './exampleEvents.js';
import { toNeutral } from './neutralEvent.js';
import { expectedOutcomes } from './samples.js';

const recordedAt = new Date('2026-03-06T09:00:00Z');

const sampleEvents = expectedOutcomes().flatMap((o) =>
  [...o.events, ...(o.eventsWhenResolved ?? [])].map((neutral, i) => ({
    name: `${o.input} #${i + 1} ${neutral.type}`,
    neutral,
  })),
);

describe('eventFromNeutral', () => {
  test.each(sampleEvents)('is the inverse of toNeutral for $name', ({ neutral }) => {
    expect(toNeutral(eventFromNeutral(neutral, { dedupKey: 'k', recordedAt }))).toEqual(neutral);
  });

  test.each(Object.values(exampleEvents))('keeps every neutral field of the example $type', (event) => {
    const neutral = toNeutral(event);
    expect(toNeutral(eventFromNeutral(neutral, { dedupKey: 'k', recordedAt }))).toEqual(neutral);
  });

  test('the eventId follows the dedup key and recordedAt is the one given', () => {
    const neutral = toNeutral(exampleEvents.PatientDischarged);
    const a = eventFromNeutral(neutral, { dedupKey: 'samples|a|0', recordedAt });
    expect(eventFromNeutral(neutral, { dedupKey: 'samples|a|0', recordedAt }).eventId).toBe(a.eventId);
    expect(eventFromNeutral(neutral, { dedupKey: 'samples|a|1', recordedAt }).eventId).not.toBe(a.eventId);
    expect(a.recordedAt).toEqual(recordedAt);
  });

  test('an unknown type or a missing field is an error, not a guess', () => {
    expect(() =>
      eventFromNeutral(
        { type: 'PatientAdmitted', nhsNumber: '9991000216', occurredAt: '2026-03-02T14:30:00Z' },
        { dedupKey: 'k', recordedAt },
      ),
    ).toThrow(/PatientAdmitted/);
    const { visitId: _, ...noVisit } = toNeutral(exampleEvents.PatientDischarged);
    expect(() => eventFromNeutral(noVisit, { dedupKey: 'k', recordedAt })).toThrow(/visitId/);
  });
});
