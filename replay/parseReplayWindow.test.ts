import { describe, expect, test } from 'vitest';
import { clinicalEventTypes } from '../schemas/generated/events.js';
import { describeWindowProblem, parameterOf, parseInstant, parseReplayWindow } from './parseReplayWindow.js';

describe('parseInstant', () => {
  test.each([
    { text: '2026-03-02T09:00:00Z', iso: '2026-03-02T09:00:00.000Z' },
    { text: '2026-03-02T09:00Z', iso: '2026-03-02T09:00:00.000Z' },
    { text: '2026-03-02T09:00:00.123456Z', iso: '2026-03-02T09:00:00.123Z' },
    { text: '2026-03-02T09:00:00.5Z', iso: '2026-03-02T09:00:00.500Z' },
    { text: '2026-07-02T10:00:00+01:00', iso: '2026-07-02T09:00:00.000Z' },
    { text: '2026-03-02T00:30:00-05:30', iso: '2026-03-02T06:00:00.000Z' },
    { text: '2026-03-02', iso: '2026-03-02T00:00:00.000Z' },
    { text: '2024-02-29', iso: '2024-02-29T00:00:00.000Z' },
  ])('$text is $iso', ({ text, iso }) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  test.each([
    { name: 'no zone', text: '2026-03-02T09:00:00' },
    { name: 'not a day of the month', text: '2026-02-30' },
    { name: 'not a leap year', text: '2026-02-29' },
    { name: 'month 13', text: '2026-13-01' },
    { name: 'hour 24', text: '2026-03-02T24:00Z' },
    { name: 'a zone of 24 hours', text: '2026-03-02T09:00+24:00' },
    { name: 'HL7 form', text: '20260302090000' },
    { name: 'words', text: 'yesterday' },
    { name: 'epoch milliseconds', text: '1772442000000' },
  ])('rejects $name', ({ text }) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});

describe('parseReplayWindow', () => {
  test('a window with kinds, on record time by default', () => {
    const window = parseReplayWindow({
      from: '2026-03-01',
      to: '2026-03-02T12:00:00Z',
      kinds: 'PatientDischarged, DiagnosisRecorded,',
    });
    expect(window).toEqual({
      ok: true,
      value: {
        from: new Date('2026-03-01T00:00:00Z'),
        to: new Date('2026-03-02T12:00:00Z'),
        time: 'record',
        kinds: new Set(['PatientDischarged', 'DiagnosisRecorded']),
      },
    });
  });

  test('no kinds means every kind; clinical time when asked', () => {
    const window = parseReplayWindow({ from: '2026-03-01', to: '2026-03-02', time: 'clinical' });
    expect(window.ok && window.value).toMatchObject({ time: 'clinical', kinds: undefined });
  });

  test('every kind the contract has is accepted by name', () => {
    const window = parseReplayWindow({ from: '2026-03-01', to: '2026-03-02', kinds: clinicalEventTypes.join(',') });
    expect(window.ok && window.value.kinds?.size).toBe(clinicalEventTypes.length);
  });

  test.each([
    { name: 'nothing given', text: {}, kinds: ['missing-instant', 'missing-instant'] },
    { name: 'a bad instant', text: { from: 'yesterday', to: '2026-03-02' }, kinds: ['bad-instant'] },
    { name: 'from equal to to', text: { from: '2026-03-02', to: '2026-03-02T00:00Z' }, kinds: ['empty-window'] },
    { name: 'from after to', text: { from: '2026-03-03', to: '2026-03-02' }, kinds: ['empty-window'] },
    {
      name: 'an unknown kind',
      text: { from: '2026-03-01', to: '2026-03-02', kinds: 'Discharge' },
      kinds: ['unknown-kind'],
    },
    { name: 'kinds empty', text: { from: '2026-03-01', to: '2026-03-02', kinds: ' , ' }, kinds: ['no-kinds'] },
    {
      name: 'a time basis not known',
      text: { from: '2026-03-01', to: '2026-03-02', time: 'ingest' },
      kinds: ['bad-time-basis'],
    },
    {
      name: 'every problem at once',
      text: { from: 'x', to: 'y', kinds: 'A,B', time: 'z' },
      kinds: ['bad-instant', 'bad-instant', 'bad-time-basis', 'unknown-kind', 'unknown-kind'],
    },
  ])('reports $name', ({ text, kinds }) => {
    const window = parseReplayWindow(text);
    expect(window.ok ? [] : window.error.map((p) => p.kind)).toEqual(kinds);
  });

  test('the limit on length, when given, is inclusive', () => {
    expect(parseReplayWindow({ from: '2026-03-01', to: '2026-04-01' }, { maxDays: 31 }).ok).toBe(true);
    const longer = parseReplayWindow({ from: '2026-03-01', to: '2026-04-01T00:00:00.001Z' }, { maxDays: 31 });
    expect(longer.ok ? [] : longer.error).toEqual([{ kind: 'window-too-long', maxDays: 31 }]);
    expect(parseReplayWindow({ from: '2000-01-01', to: '2100-01-01' }).ok).toBe(true);
  });

  test('a description names the parameter and never more than 40 characters of the input', () => {
    const window = parseReplayWindow({ from: 'x'.repeat(500), to: '2026-03-02', kinds: 'Nope' });
    const problems = window.ok ? [] : window.error;
    expect(problems.map(parameterOf)).toEqual(['from', 'kinds']);
    const [fromLine, kindsLine] = problems.map(describeWindowProblem);
    expect(fromLine).toMatch(/^from "x{40}…": expected an ISO 8601 instant/);
    expect(kindsLine).toContain('"Nope" is not an event type');
  });
});
