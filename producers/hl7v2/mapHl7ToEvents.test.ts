import { describe, expect, test } from 'vitest';
import { mapLines, parsedLines, sampleLines, withField, withoutSegments } from '../../test/support/hl7Lines.js';
import { mapHl7ToEvents } from './mapHl7ToEvents.js';

const a03 = sampleLines('hl7v2/adt_a03_discharge.hl7');
const a08 = sampleLines('hl7v2/adt_a08_diagnosis_update.hl7');
const orm = sampleLines('hl7v2/orm_o01_new_order.hl7');
const rde = sampleLines('hl7v2/rde_o11_new_order.hl7');

const kindOf = (lines: readonly string[]) => {
  const mapped = mapLines(lines);
  return mapped.ok ? mapped.value.kind : mapped.error.kind;
};
const draftTypes = (lines: readonly string[]) => {
  const mapped = mapLines(lines);
  return mapped.ok && mapped.value.kind === 'events' ? mapped.value.facts.drafts.map((draft) => draft.type) : mapped;
};

describe('mapHl7ToEvents: which messages are taken', () => {
  test.each(['2.3', '2.3.1', '2.4', '2.5', '2.5.1'])('version %s is taken', (version) => {
    expect(kindOf(withField(a03, 'MSH-12', version))).toBe('events');
  });

  test.each(['2.2', '2.6', '2.7', '3.0', 'X'])('version %s is an unsupported-version at MSH-12', (version) => {
    expect(mapLines(withField(a03, 'MSH-12', version))).toMatchObject({
      ok: false,
      error: { kind: 'unsupported-version', location: 'MSH-12' },
    });
  });

  test('the version is checked before the message type', () => {
    expect(kindOf(withField(withField(a03, 'MSH-12', '2.6'), 'MSH-9', 'SIU^S12^SIU_S12'))).toBe('unsupported-version');
  });

  test.each([
    {
      name: 'ADT^A03',
      type: 'ADT^A03^ADT_A03',
      lines: a03,
      types: ['PatientDischarged', 'DiagnosisRecorded', 'DiagnosisRecorded'],
    },
    { name: 'ADT^A08', type: 'ADT^A08^ADT_A01', lines: a03, types: ['DiagnosisRecorded', 'DiagnosisRecorded'] },
    {
      name: 'ADT^A31, read like an A08',
      type: 'ADT^A31^ADT_A05',
      lines: a03,
      types: ['DiagnosisRecorded', 'DiagnosisRecorded'],
    },
    { name: 'ADT^A13', type: 'ADT^A13^ADT_A01', lines: a03, types: ['DischargeCancelled'] },
    {
      name: 'ADT^A03 with the v2.3 two-component MSH-9',
      type: 'ADT^A03',
      lines: a03,
      types: ['PatientDischarged', 'DiagnosisRecorded', 'DiagnosisRecorded'],
    },
    { name: 'ORM^O01', type: 'ORM^O01^ORM_O01', lines: orm, types: ['MedicationOrdered'] },
    { name: 'RDE^O11', type: 'RDE^O11^RDE_O11', lines: rde, types: ['MedicationOrdered'] },
    { name: 'RDE^O01, the pre-2.4 form', type: 'RDE^O01', lines: rde, types: ['MedicationOrdered'] },
  ])('$name gives $types', ({ type, lines, types }) => {
    expect(draftTypes(withField(lines, 'MSH-9', type))).toEqual(types);
  });

  test('an A08 carrying PV1-45 yields no discharge', () => {
    expect(a08.find((line) => line.startsWith('PV1|'))?.endsWith('|20260302143000')).toBe(true);
    expect(draftTypes(a08)).toEqual(['DiagnosisAmended']);
  });

  test('an A08 without DG1 is taken, with no events', () => {
    expect(draftTypes(withoutSegments(a08, 'DG1'))).toEqual([]);
  });

  test.each(['ADT^A01^ADT_A01', 'ADT^A04^ADT_A01', 'ADT^A28^ADT_A05', 'ADT^A40^ADT_A39'])(
    '%s is ignored, with its patient',
    (type) => {
      const mapped = mapLines(withField(a03, 'MSH-9', type));
      expect(mapped).toMatchObject({ ok: true, value: { kind: 'ignored', patient: { nhsNumber: '9991000216' } } });
      expect(mapped.ok && mapped.value.kind === 'ignored' && mapped.value.reason).toMatch(/^ADT\^A\d\d is not mapped/);
    },
  );

  test('an ignored message with an unreadable PID-3 is still ignored, without a patient', () => {
    const lines = withField(withField(a03, 'MSH-9', 'ADT^A28^ADT_A05'), 'PID-3', '9991000217^^^NHS^NH');
    expect(mapLines(lines)).toEqual({
      ok: true,
      value: {
        kind: 'ignored',
        reason: 'ADT^A28 is not mapped to a canonical event; kept as a raw receipt only',
        patient: undefined,
      },
    });
  });

  test.each(['SIU^S12^SIU_S12', 'ORU^R01^ORU_R01', 'ORM^O02', 'RDE^O25^RDE_O25', 'ACK^A03^ACK'])(
    '%s is an unsupported-message-type at MSH-9',
    (type) => {
      expect(mapLines(withField(a03, 'MSH-9', type))).toMatchObject({
        ok: false,
        error: { kind: 'unsupported-message-type', location: 'MSH-9' },
      });
    },
  );
});

describe('mapHl7ToEvents: the facts of a message', () => {
  test('the patient is checked before the events', () => {
    const lines = withField(withField(a03, 'PID-3', '9991000217^^^NHS^NH'), 'PV1-45', '');
    expect(kindOf(lines)).toBe('invalid-nhs-number');
  });

  test('the source names the message, and the receipt id is passed through', () => {
    const mapped = mapHl7ToEvents(parsedLines(orm), { receiptId: 'raw-7' });
    expect(mapped.ok && mapped.value.kind === 'events' && mapped.value.facts.source).toEqual({
      channel: 'HL7V2',
      system: 'EPR',
      facility: 'RXX01',
      messageType: 'ORM^O01',
      messageId: 'EPR000801',
      messageVersion: '2.4',
      receiptId: 'raw-7',
    });
  });

  test('an empty sending facility is null in the source, and still part of the dedup key', () => {
    const mapped = mapHl7ToEvents(parsedLines(withField(orm, 'MSH-4', '')), { receiptId: null });
    const facts = mapped.ok && mapped.value.kind === 'events' ? mapped.value.facts : undefined;
    expect(facts?.source.facility).toBeNull();
    expect(facts?.drafts.map((draft) => draft.dedupKey)).toEqual(['hl7v2|EPR||EPR000801|ORC#1']);
  });

  test('each fact has its place and a dedup key from sender, facility, control id and place', () => {
    const mapped = mapLines(a03);
    const drafts = mapped.ok && mapped.value.kind === 'events' ? mapped.value.facts.drafts : [];
    expect(drafts.map(({ place, dedupKey }) => ({ place, dedupKey }))).toEqual([
      { place: 'PV1', dedupKey: 'hl7v2|PAS|RXX01|100187|PV1' },
      { place: 'DG1#1', dedupKey: 'hl7v2|PAS|RXX01|100187|DG1#1' },
      { place: 'DG1#2', dedupKey: 'hl7v2|PAS|RXX01|100187|DG1#2' },
    ]);
  });

  test('a message is atomic: one bad DG1 rejects the discharge and the good DG1 too', () => {
    expect(mapLines(withField(a03, 'DG1[2]-3', 'E11.9^Diabetes^ICD10'))).toMatchObject({
      ok: false,
      error: { kind: 'unknown-code-system', location: 'DG1[2]-3' },
    });
  });

  test('a message without MSH (built by hand) is unparseable rather than a crash', () => {
    const message = parsedLines(a03);
    expect(mapHl7ToEvents({ ...message, segments: message.segments.slice(1) }, { receiptId: null })).toMatchObject({
      ok: false,
      error: { kind: 'unparseable', location: 'MSH' },
    });
  });
});
