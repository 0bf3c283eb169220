import { describe, expect, test } from 'vitest';
import { hl7DedupKey } from '../../core/eventIdentity.js';
import { parsedLines, sampleLines, withField, withoutSegments } from '../../test/support/hl7Lines.js';
import { mapDischarge, mapDischargeCancel } from './mapDischarge.js';

const a03 = sampleLines('hl7v2/adt_a03_discharge.hl7');
const keyFor = (place: string) =>
  hl7DedupKey({ sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId: '100187', place });

describe('mapDischarge', () => {
  test('maps PV1 and MSH-4 to a PatientDischarged whose occurredAt is PV1-45', () => {
    expect(mapDischarge(parsedLines(a03), keyFor)).toEqual({
      ok: true,
      value: {
        type: 'PatientDischarged',
        occurredAt: new Date('2026-03-02T14:30:00Z'),
        visitId: 'V20260301001',
        admittedAt: new Date('2026-03-01T08:15:00Z'),
        dischargedAt: new Date('2026-03-02T14:30:00Z'),
        dischargeMethod: '1',
        dischargeDestination: '19',
        organisation: 'RXX01',
        responsibleClinician: 'C9999001',
        encounterClass: 'I',
        place: 'PV1',
        dedupKey: 'hl7v2|PAS|RXX01|100187|PV1',
      },
    });
  });

  test('a summer discharge without an offset is read as BST', () => {
    const mapped = mapDischarge(parsedLines(withField(a03, 'PV1-45', '20260715103000')), keyFor);
    expect(mapped.ok && mapped.value.occurredAt).toEqual(new Date('2026-07-15T09:30:00Z'));
  });

  test('optional fields not sent are null', () => {
    const lines = ['PV1-44', 'PV1-36', 'PV1-37', 'PV1-7', 'PV1-2', 'MSH-4'].reduce(
      (acc, path) => withField(acc, path, ''),
      a03,
    );
    expect(mapDischarge(parsedLines(lines), keyFor)).toMatchObject({
      ok: true,
      value: {
        admittedAt: null,
        dischargeMethod: null,
        dischargeDestination: null,
        organisation: null,
        responsibleClinician: null,
        encounterClass: null,
      },
    });
  });

  test('the first repetition of PV1-45 is the discharge', () => {
    const mapped = mapDischarge(parsedLines(withField(a03, 'PV1-45', '20260302143000~20260301120000')), keyFor);
    expect(mapped.ok && mapped.value.occurredAt).toEqual(new Date('2026-03-02T14:30:00Z'));
  });

  test.each([
    { name: 'no PV1-45', path: 'PV1-45', value: '', kind: 'required-field-missing', location: 'PV1-45' },
    {
      name: 'PV1-45 sent as "" (delete)',
      path: 'PV1-45',
      value: '""',
      kind: 'required-field-missing',
      location: 'PV1-45',
    },
    {
      name: 'a PV1-45 that is not a timestamp',
      path: 'PV1-45',
      value: '2026-03-02',
      kind: 'invalid-value',
      location: 'PV1-45',
    },
    {
      name: 'a PV1-44 that is not a timestamp',
      path: 'PV1-44',
      value: '20261301',
      kind: 'invalid-value',
      location: 'PV1-44',
    },
    { name: 'no visit number', path: 'PV1-19', value: '', kind: 'required-field-missing', location: 'PV1-19' },
  ])('$name: $kind at $location', ({ path, value, kind, location }) => {
    expect(mapDischarge(parsedLines(withField(a03, path, value)), keyFor)).toMatchObject({
      ok: false,
      error: { kind, location },
    });
  });

  test('no PV1: segment-missing', () => {
    expect(mapDischarge(parsedLines(withoutSegments(a03, 'PV1')), keyFor)).toMatchObject({
      ok: false,
      error: { kind: 'segment-missing', location: 'PV1' },
    });
  });
});

describe('mapDischargeCancel', () => {
  const a13 = withField(withField(a03, 'MSH-9', 'ADT^A13^ADT_A01'), 'EVN-4', 'ERR');

  test('maps the visit, the cancelled discharge time, EVN-4 and the time of the cancellation', () => {
    const lines = withField(withField(a13, 'EVN-6', '20260302160000'), 'EVN-2', '20260302161000');
    expect(mapDischargeCancel(parsedLines(lines), keyFor)).toEqual({
      ok: true,
      value: {
        type: 'DischargeCancelled',
        occurredAt: new Date('2026-03-02T16:00:00Z'),
        visitId: 'V20260301001',
        cancelledDischargeAt: new Date('2026-03-02T14:30:00Z'),
        reason: 'ERR',
        place: 'PV1',
        dedupKey: 'hl7v2|PAS|RXX01|100187|PV1',
      },
    });
  });

  test.each([
    { name: 'EVN-6 when sent', evn6: '20260302160000', evn2: '20260302161000', at: '2026-03-02T16:00:00Z' },
    { name: 'else EVN-2', evn6: '', evn2: '20260302161000', at: '2026-03-02T16:10:00Z' },
    { name: 'else MSH-7', evn6: '', evn2: '', at: '2026-03-02T14:31:05Z' },
  ])('occurredAt: $name', ({ evn6, evn2, at }) => {
    const lines = withField(withField(a13, 'EVN-6', evn6), 'EVN-2', evn2);
    const mapped = mapDischargeCancel(parsedLines(lines), keyFor);
    expect(mapped.ok && mapped.value.occurredAt).toEqual(new Date(at));
  });

  test('without PV1-45 or EVN-4 those are null', () => {
    const mapped = mapDischargeCancel(parsedLines(withField(withField(a13, 'PV1-45', ''), 'EVN-4', '')), keyFor);
    expect(mapped).toMatchObject({ ok: true, value: { cancelledDischargeAt: null, reason: null } });
  });

  test('without a visit number there is nothing to cancel', () => {
    expect(mapDischargeCancel(parsedLines(withField(a13, 'PV1-19', '')), keyFor)).toMatchObject({
      ok: false,
      error: { kind: 'required-field-missing', location: 'PV1-19' },
    });
  });
});
