import { describe, expect, test } from 'vitest';
import { hl7DedupKey } from '../../core/eventIdentity.js';
import { parsedLines, sampleLines, withField, withoutSegments } from '../../test/support/hl7Lines.js';
import { mapMedicationOrders } from './mapMedicationOrders.js';

const orm = sampleLines('hl7v2/orm_o01_new_order.hl7');
const rde = sampleLines('hl7v2/rde_o11_new_order.hl7');
const keyFor = (place: string) =>
  hl7DedupKey({ sendingApplication: 'EPR', sendingFacility: 'RXX01', controlId: 'EPR000801', place });
const ormOrders = (lines: readonly string[]) => mapMedicationOrders(parsedLines(lines), 'RXO', keyFor);
const rdeOrders = (lines: readonly string[]) => mapMedicationOrders(parsedLines(lines), 'RXE', keyFor);
const first = (mapped: ReturnType<typeof ormOrders>) => (mapped.ok ? mapped.value[0] : mapped.error);

describe('mapMedicationOrders', () => {
  test('ORM NW: a MedicationOrdered from ORC, RXO, RXR and the TQ of ORC-7', () => {
    expect(ormOrders(orm)).toEqual({
      ok: true,
      value: [
        {
          type: 'MedicationOrdered',
          occurredAt: new Date('2026-03-02T09:00:00Z'),
          orderId: 'ORD5001',
          placerNamespace: 'EPR',
          fillerOrderId: null,
          medication: {
            code: '323509004',
            codeSystem: 'DMD',
            display: 'Amoxicillin 500mg capsules',
            dose: '500',
            doseUnit: 'mg',
            route: 'PO',
            frequency: 'TDS',
            dosageText: null,
          },
          startAt: new Date('2026-03-02T09:00:00Z'),
          stopAt: null,
          prescriber: '9999101',
          reason: null,
          encounterId: 'V20260301001',
          place: 'ORC#1',
          dedupKey: 'hl7v2|EPR|RXX01|EPR000801|ORC#1',
        },
      ],
    });
  });

  test('RDE: the medication from RXE, frequency and course from TQ1', () => {
    expect(first(rdeOrders(rde))).toMatchObject({
      type: 'MedicationOrdered',
      orderId: 'RX88001',
      medication: { code: '324043006', codeSystem: 'DMD', dose: '100', doseUnit: 'mg', route: 'PO', frequency: 'OD' },
      startAt: new Date('2026-03-02T12:00:00Z'),
      stopAt: new Date('2026-03-09T12:00:00Z'),
    });
  });

  test('RDE without TQ1: frequency from ORC-7.2', () => {
    const lines = withField(withoutSegments(rde, 'TQ1'), 'ORC-7', '1^BD');
    expect(first(rdeOrders(lines))).toMatchObject({ medication: { frequency: 'BD' }, startAt: null, stopAt: null });
  });

  test.each([
    { control: 'CA', type: 'MedicationOrderCancelled' },
    { control: 'DC', type: 'MedicationOrderDiscontinued' },
  ])('ORC-1 $control gives $type, with the medication restated and ORC-16.2 as the reason', ({ control, type }) => {
    const lines = withField(withField(orm, 'ORC-1', control), 'ORC-16', 'ADR^Rash^99EPR');
    expect(first(ormOrders(lines))).toEqual({
      type,
      occurredAt: new Date('2026-03-02T09:00:00Z'),
      orderId: 'ORD5001',
      placerNamespace: 'EPR',
      fillerOrderId: null,
      medication: {
        code: '323509004',
        codeSystem: 'DMD',
        display: 'Amoxicillin 500mg capsules',
        dose: '500',
        doseUnit: 'mg',
        route: 'PO',
        frequency: 'TDS',
        dosageText: null,
      },
      prescriber: '9999101',
      reason: 'Rash',
      place: 'ORC#1',
      dedupKey: 'hl7v2|EPR|RXX01|EPR000801|ORC#1',
    });
  });

  test('a cancel that does not restate the medication has medication null; the reason falls back to ORC-16.1', () => {
    const lines = withField(withField(withoutSegments(orm, 'RXO'), 'ORC-1', 'CA'), 'ORC-16', 'ERR');
    expect(first(ormOrders(lines))).toMatchObject({
      type: 'MedicationOrderCancelled',
      medication: null,
      reason: 'ERR',
    });
  });

  test('ORC-3.1, indication and administration instructions are carried when sent', () => {
    const withRxo = (lines: readonly string[]) =>
      withField(withField(lines, 'RXO-20', 'CHEST^Chest infection^99EPR'), 'RXO-7', 'WF^With food^99EPR');
    expect(first(ormOrders(withField(withRxo(orm), 'ORC-3', 'PH123^PHARM')))).toMatchObject({
      fillerOrderId: 'PH123',
      reason: 'Chest infection',
      medication: { dosageText: 'With food' },
    });
  });

  test('occurredAt is ORC-9, else MSH-7', () => {
    expect(first(ormOrders(withField(orm, 'ORC-9', '')))).toMatchObject({
      occurredAt: new Date('2026-03-02T09:00:12Z'),
    });
  });

  test('each ORC starts a group: two orders, two places, each with its own RXO', () => {
    const second = ['ORC|DC|ORD4000^EPR|||||||20260302091500', 'RXO|318590006^Bisoprolol^DMD|2.5||mg'];
    const mapped = ormOrders([...orm, ...second]);
    expect(
      mapped.ok && mapped.value.map((draft) => [draft.type, draft.place, 'orderId' in draft && draft.orderId]),
    ).toEqual([
      ['MedicationOrdered', 'ORC#1', 'ORD5001'],
      ['MedicationOrderDiscontinued', 'ORC#2', 'ORD4000'],
    ]);
    const discontinued = mapped.ok ? mapped.value[1] : undefined;
    expect(discontinued).toMatchObject({ medication: { code: '318590006', route: null, frequency: null } });
  });

  test.each([
    { name: 'ORC-1 OK', path: 'ORC-1', value: 'OK', kind: 'unsupported-order-control', location: 'ORC-1' },
    { name: 'ORC-1 XO', path: 'ORC-1', value: 'XO', kind: 'unsupported-order-control', location: 'ORC-1' },
    { name: 'no ORC-1', path: 'ORC-1', value: '', kind: 'unsupported-order-control', location: 'ORC-1' },
    { name: 'no placer order number', path: 'ORC-2', value: '^EPR', kind: 'required-field-missing', location: 'ORC-2' },
    {
      name: 'a code system other than DMD',
      path: 'RXO-1',
      value: '323509004^Amoxicillin^SCT',
      kind: 'unknown-code-system',
      location: 'RXO-1',
    },
    { name: 'a dose that is not a number', path: 'RXO-2', value: '500mg', kind: 'invalid-value', location: 'RXO-2' },
    {
      name: 'no medicine code on a new order',
      path: 'RXO-1',
      value: '',
      kind: 'required-field-missing',
      location: 'RXO-1',
    },
    { name: 'an ORC-9 that is not a timestamp', path: 'ORC-9', value: 'now', kind: 'invalid-value', location: 'ORC-9' },
    {
      name: 'an ORC-7.4 start that is not a timestamp',
      path: 'ORC-7',
      value: '1^TDS^^tomorrow',
      kind: 'invalid-value',
      location: 'ORC-7',
    },
  ])('$name: $kind at $location', ({ path, value, kind, location }) => {
    expect(ormOrders(withField(orm, path, value))).toMatchObject({ ok: false, error: { kind, location } });
  });

  test('RDE positions: an unknown code system at RXE-2', () => {
    expect(rdeOrders(withField(rde, 'RXE-2', '324043006^Doxycycline^LOCAL'))).toMatchObject({
      ok: false,
      error: { kind: 'unknown-code-system', location: 'RXE-2' },
    });
  });

  test('a later group names its segments with their occurrence', () => {
    const second = ['ORC|NW|ORD4000^EPR|||||||20260302091500', 'RXO|318590006^Bisoprolol^99LOCAL|2.5||mg'];
    expect(ormOrders([...orm, ...second])).toMatchObject({
      ok: false,
      error: { kind: 'unknown-code-system', location: 'RXO[2]-1' },
    });
  });

  test('a new order without its detail segment is segment-missing', () => {
    expect(ormOrders(withoutSegments(orm, 'RXO'))).toMatchObject({
      ok: false,
      error: { kind: 'segment-missing', location: 'RXO' },
    });
  });

  test('an order message without ORC is segment-missing at ORC', () => {
    expect(ormOrders(withoutSegments(orm, 'ORC'))).toMatchObject({
      ok: false,
      error: { kind: 'segment-missing', location: 'ORC' },
    });
  });

  test('segments before the first ORC belong to no order', () => {
    const lines = [...orm.slice(0, 3), 'RXR|IV^Intravenous^HL70162', ...orm.slice(3)];
    expect(first(ormOrders(lines))).toMatchObject({ medication: { route: 'PO' } });
  });
});
