import { describe, expect, test } from 'vitest';
import { parsedLines } from '../../test/support/hl7Lines.js';
import {
  firstTimeOf,
  locateAll,
  locateFirst,
  positionOf,
  reportedEventTime,
  requiredFirstTimeOf,
  requiredTextAt,
  textAt,
  timeAt,
} from './locatedSegment.js';

const message = parsedLines([
  'MSH|^~\\&|PAS|RXX01|EVLOG|RXX01|20260302143105+0000||ADT^A08^ADT_A01|1|P|2.5.1',
  'EVN|A08|20260302143000',
  'DG1|1||A^a^SCT||20260301|F',
  'DG1|2||B^b^SCT||""|  W  ',
]);
const [dg1, dg2] = locateAll(message, 'DG1');
const absent = locateFirst(message, 'PV1');

describe('locatedSegment', () => {
  test('occurrences are counted per segment id, from 1', () => {
    expect(locateAll(message, 'DG1').map(({ id, occurrence }) => `${id}#${occurrence}`)).toEqual(['DG1#1', 'DG1#2']);
    expect(absent).toEqual({ id: 'PV1', occurrence: 1, segment: undefined });
  });

  test.each([
    { name: 'first occurrence', at: () => dg1, field: 3, component: undefined, position: 'DG1-3' },
    { name: 'later occurrence', at: () => dg2, field: 3, component: undefined, position: 'DG1[2]-3' },
    { name: 'with a component', at: () => dg2, field: 3, component: 3, position: 'DG1[2]-3.3' },
  ])('positionOf: $name is $position', ({ at, field, component, position }) => {
    expect(positionOf(at() ?? absent, field, component)).toBe(position);
  });

  test('textAt cuts the spaces padding a leaf, and reads empty, "" and absent segments as null', () => {
    expect(textAt(dg2 ?? absent, 6)).toBe('W');
    expect(textAt(dg2 ?? absent, 5)).toBeNull();
    expect(textAt(dg2 ?? absent, 9)).toBeNull();
    expect(textAt(absent, 19)).toBeNull();
  });

  test('requiredTextAt names the position it missed', () => {
    expect(requiredTextAt(dg2 ?? absent, 20, 1, 'diagnosis id')).toEqual({
      ok: false,
      error: {
        kind: 'required-field-missing',
        location: 'DG1[2]-20',
        reason: 'DG1[2]-20.1 (diagnosis id) is required and was not sent',
      },
    });
  });

  test('timeAt: a date, nothing, or a rejection at the position', () => {
    expect(timeAt(dg1 ?? absent, 5)).toEqual({ ok: true, value: new Date('2026-03-01T00:00:00Z') });
    expect(timeAt(dg2 ?? absent, 5)).toEqual({ ok: true, value: null });
    expect(timeAt(dg1 ?? absent, 6)).toMatchObject({ ok: false, error: { kind: 'invalid-value', location: 'DG1-6' } });
  });

  test('firstTimeOf takes the first sent, and never skips a malformed one', () => {
    expect(
      firstTimeOf([
        [dg2 ?? absent, 5],
        [dg1 ?? absent, 5],
      ]),
    ).toEqual({ ok: true, value: new Date('2026-03-01T00:00:00Z') });
    expect(firstTimeOf([[dg2 ?? absent, 5]])).toEqual({ ok: true, value: null });
    expect(
      firstTimeOf([
        [dg1 ?? absent, 6],
        [dg1 ?? absent, 5],
      ]),
    ).toMatchObject({ ok: false, error: { location: 'DG1-6' } });
  });

  test('requiredFirstTimeOf lists what it tried', () => {
    expect(
      requiredFirstTimeOf(
        [
          [dg2 ?? absent, 5],
          [absent, 45],
        ],
        'the time',
      ),
    ).toEqual({
      ok: false,
      error: {
        kind: 'required-field-missing',
        location: 'PV1-45',
        reason: 'the time: none of DG1[2]-5, PV1-45 was sent',
      },
    });
  });

  test('reportedEventTime: EVN-6, else EVN-2, else MSH-7', () => {
    expect(reportedEventTime(message)).toEqual({ ok: true, value: new Date('2026-03-02T14:30:00Z') });
  });
});
