import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { clinicalEventTypes, type PatientDischarged } from '../../schemas/generated/events.js';
import { arbPatientEvent } from '../../test/support/arbPatientEvents.js';
import { exampleEvents } from '../../test/support/exampleEvents.js';
import { eventFromJson, eventToJson } from './eventJson.js';

describe('eventToJson / eventFromJson', () => {
  test.each(clinicalEventTypes.map((type) => ({ type })))('a $type survives JSON text and back', ({ type }) => {
    const event = exampleEvents[type];
    const stored = JSON.parse(JSON.stringify(eventToJson(event))) as unknown;
    expect(eventFromJson(stored)).toEqual({ ok: true, value: event });
  });

  test.prop([arbPatientEvent])('any event survives the round trip, instants as Dates', (event) => {
    const back = eventFromJson(JSON.parse(JSON.stringify(eventToJson(event))));
    expect(back).toEqual({ ok: true, value: event });
    if (back.ok) expect(back.value.occurredAt).toBeInstanceOf(Date);
  });

  test('instants are ISO strings in the JSON, nullable ones stay null', () => {
    const json = eventToJson(exampleEvents.PatientDischarged);
    expect(json.occurredAt).toBe(exampleEvents.PatientDischarged.occurredAt.toISOString());
    expect(json.dischargedAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(json.admittedAt === null || typeof json.admittedAt === 'string').toBe(true);
    const discharge = exampleEvents.PatientDischarged as PatientDischarged;
    expect(eventToJson({ ...discharge, admittedAt: null }).admittedAt).toBeNull();
  });

  test.each([
    { name: 'not an object', json: [1], error: { kind: 'not-an-object' } },
    { name: 'null', json: null, error: { kind: 'not-an-object' } },
    { name: 'an unknown type', json: { type: 'Admitted' }, error: { kind: 'unknown-event-type', type: 'Admitted' } },
  ])('$name is refused', ({ json, error }) => {
    expect(eventFromJson(json)).toEqual({ ok: false, error });
  });

  test.each([
    { name: 'an instant that is not ISO', change: { occurredAt: 'yesterday' }, path: 'occurredAt' },
    { name: 'an epoch number for an instant', change: { recordedAt: 1_772_442_015_000 }, path: 'recordedAt' },
    { name: 'a missing field', change: { correlationId: undefined }, path: 'correlationId' },
    { name: 'a nested field of the wrong type', change: { source: { channel: 'FAX' } }, path: 'source.channel' },
  ])('$name is refused with its path', ({ change, path }) => {
    const json = { ...eventToJson(exampleEvents.DiagnosisRecorded), ...change };
    const back = eventFromJson(JSON.parse(JSON.stringify(json)));
    expect(back.ok).toBe(false);
    if (!back.ok && back.error.kind === 'not-the-schema') expect(back.error.paths).toContain(path);
    else expect.fail(`expected not-the-schema, got ${JSON.stringify(back)}`);
  });
});
