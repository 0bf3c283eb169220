import { describe, expect, test } from 'vitest';
import { hl7DedupKey } from '../../core/eventIdentity.js';
import { parsedLines, sampleLines, withField, withoutSegments } from '../../test/support/hl7Lines.js';
import { mapDiagnoses } from './mapDiagnoses.js';

// B's A03: DG1 1 has no DG1-20 (fallback id), DG1 2 has DX20002.
const a03 = sampleLines('hl7v2/adt_a03_nhs_and_mrn.hl7');
const keyFor = (place: string) =>
  hl7DedupKey({ sendingApplication: 'PAS', sendingFacility: 'RXX01', controlId: '100234', place });
const map = (lines: readonly string[]) => mapDiagnoses(parsedLines(lines), keyFor);
const first = (lines: readonly string[]) => {
  const mapped = map(lines);
  return mapped.ok ? mapped.value[0] : mapped.error;
};

describe('mapDiagnoses', () => {
  test('every DG1, in segment order, with its place and the full recorded fields', () => {
    const mapped = map(a03);
    expect(mapped.ok && mapped.value.map((draft) => [draft.place, draft.type, draft.dedupKey])).toEqual([
      ['DG1#1', 'DiagnosisRecorded', 'hl7v2|PAS|RXX01|100234|DG1#1'],
      ['DG1#2', 'DiagnosisRecorded', 'hl7v2|PAS|RXX01|100234|DG1#2'],
    ]);
    expect(mapped.ok && mapped.value[1]).toEqual({
      type: 'DiagnosisRecorded',
      occurredAt: new Date('2026-03-02T09:15:00Z'),
      diagnosisId: 'DX20002',
      code: '49436004',
      codeSystem: 'SNOMED_CT',
      display: 'Atrial fibrillation',
      codings: [{ system: 'SCT', code: '49436004', display: 'Atrial fibrillation' }],
      clinicalStatus: null,
      verificationStatus: 'CONFIRMED',
      onset: null,
      recorder: 'C9999002',
      encounterId: 'V20260301002',
      place: 'DG1#2',
      dedupKey: 'hl7v2|PAS|RXX01|100234|DG1#2',
    });
  });

  test('without DG1-20 the identity is <PV1-19.1>/<DG1-3.3>/<DG1-3.1>, never DG1-1', () => {
    expect(first(a03)).toMatchObject({ diagnosisId: 'V20260301002/I10/I10' });
    expect(first(withField(a03, 'DG1-1', '7'))).toMatchObject({ diagnosisId: 'V20260301002/I10/I10' });
  });

  test('no DG1: no drafts', () => {
    expect(map(withoutSegments(a03, 'DG1'))).toEqual({ ok: true, value: [] });
  });

  test.each([
    { action: '', type: 'DiagnosisRecorded' },
    { action: 'A', type: 'DiagnosisRecorded' },
    { action: 'U', type: 'DiagnosisAmended' },
    { action: 'D', type: 'DiagnosisRetracted' },
  ])('DG1-21 "$action" gives $type', ({ action, type }) => {
    expect(first(withField(withField(a03, 'DG1-20', 'DX1^PAS'), 'DG1-21', action))).toMatchObject({
      type,
      diagnosisId: 'DX1',
    });
  });

  test('a retraction carries the code it restated and the reason deleted-at-source', () => {
    const lines = withField(withField(a03, 'DG1-20', 'DX1^PAS'), 'DG1-21', 'D');
    expect(first(withField(lines, 'EVN-6', '20260304100000'))).toEqual({
      type: 'DiagnosisRetracted',
      occurredAt: new Date('2026-03-04T10:00:00Z'),
      diagnosisId: 'DX1',
      code: 'I10',
      codeSystem: 'ICD_10',
      display: 'Essential (primary) hypertension',
      reason: 'deleted-at-source',
      encounterId: 'V20260301002',
      place: 'DG1#1',
      dedupKey: 'hl7v2|PAS|RXX01|100234|DG1#1',
    });
  });

  test('a retraction that names its diagnosis but no code is still a retraction', () => {
    const lines = withField(withField(withField(a03, 'DG1-20', 'DX1^PAS'), 'DG1-21', 'D'), 'DG1-3', '');
    expect(first(lines)).toMatchObject({ type: 'DiagnosisRetracted', code: null, codeSystem: null, display: null });
  });

  test.each([
    { name: 'U without DG1-20', action: 'U' },
    { name: 'D without DG1-20', action: 'D' },
  ])('$name is unresolvable-correction at DG1-20, never guessed', ({ action }) => {
    expect(first(withField(a03, 'DG1-21', action))).toMatchObject({
      kind: 'unresolvable-correction',
      location: 'DG1-20',
    });
  });

  test.each([
    {
      name: 'an unknown coding system',
      path: 'DG1[2]-3',
      value: '49436004^AF^SNOMEDCT',
      kind: 'unknown-code-system',
      location: 'DG1[2]-3',
    },
    {
      name: 'no coding system',
      path: 'DG1[2]-3',
      value: '49436004^AF',
      kind: 'unknown-code-system',
      location: 'DG1[2]-3',
    },
    {
      name: 'dm+d is not a diagnosis system',
      path: 'DG1[2]-3',
      value: '49436004^AF^DMD',
      kind: 'unknown-code-system',
      location: 'DG1[2]-3',
    },
    {
      name: 'no code on a recorded diagnosis',
      path: 'DG1[2]-3',
      value: '',
      kind: 'required-field-missing',
      location: 'DG1[2]-3',
    },
    {
      name: 'an action code outside table 0206',
      path: 'DG1-21',
      value: 'X',
      kind: 'invalid-value',
      location: 'DG1-21',
    },
    {
      name: 'a DG1-5 that is not a timestamp',
      path: 'DG1-5',
      value: 'yesterday',
      kind: 'invalid-value',
      location: 'DG1-5',
    },
    {
      name: 'no DG1-20 and no visit for the fallback',
      path: 'PV1-19',
      value: '',
      kind: 'required-field-missing',
      location: 'PV1-19',
    },
  ])('$name: $kind at $location', ({ path, value, kind, location }) => {
    expect(map(withField(a03, path, value))).toMatchObject({ ok: false, error: { kind, location } });
  });

  test('the rejection reason names the coding system and the DG1, not the patient', () => {
    const mapped = map(withField(a03, 'DG1[2]-3', '49436004^AF^99LOCAL'));
    expect(mapped.ok ? '' : mapped.error.reason).toBe(
      'unknown coding system 99LOCAL in DG1-3.3 (DG1 #2); accepted: SCT, I10',
    );
  });

  test.each([
    { dg16: 'F', status: 'CONFIRMED' },
    { dg16: 'W', status: 'PROVISIONAL' },
    { dg16: 'A', status: 'PROVISIONAL' },
    { dg16: '', status: null },
    { dg16: 'Z', status: null },
  ])('DG1-6 "$dg16" gives verification status $status', ({ dg16, status }) => {
    expect(first(withField(a03, 'DG1-6', dg16))).toMatchObject({ verificationStatus: status });
  });

  describe('occurredAt', () => {
    const times = (dg15: string, evn6: string, evn2: string, msh7: string, action = '') =>
      withField(
        withField(
          withField(
            withField(withField(withField(a03, 'DG1-20', 'DX1'), 'DG1-21', action), 'DG1-5', dg15),
            'EVN-6',
            evn6,
          ),
          'EVN-2',
          evn2,
        ),
        'MSH-7',
        msh7,
      );
    test.each([
      {
        name: 'recorded: DG1-5',
        lines: times('202603020900', '202603031100', '202603031110', '202603031111'),
        at: '2026-03-02T09:00:00Z',
      },
      {
        name: 'recorded: else EVN-6',
        lines: times('', '202603031100', '202603031110', '202603031111'),
        at: '2026-03-03T11:00:00Z',
      },
      {
        name: 'recorded: else EVN-2',
        lines: times('', '', '202603031110', '202603031111'),
        at: '2026-03-03T11:10:00Z',
      },
      { name: 'recorded: else MSH-7', lines: times('', '', '', '202603031111'), at: '2026-03-03T11:11:00Z' },
      {
        name: 'amended: EVN-6, not DG1-5',
        lines: times('202603020900', '202603041100', '202603041110', '202603041111', 'U'),
        at: '2026-03-04T11:00:00Z',
      },
      {
        name: 'amended: else EVN-2',
        lines: times('202603020900', '', '202603041110', '202603041111', 'U'),
        at: '2026-03-04T11:10:00Z',
      },
      {
        name: 'retracted: else MSH-7',
        lines: times('202603020900', '', '', '202603041111', 'D'),
        at: '2026-03-04T11:11:00Z',
      },
    ])('$name', ({ lines, at }) => {
      expect(first(lines)).toMatchObject({ occurredAt: new Date(at) });
    });

    test('a malformed EVN-6 is rejected, not skipped for EVN-2', () => {
      expect(first(times('', 'soon', '202603031110', '202603031111'))).toMatchObject({
        kind: 'invalid-value',
        location: 'EVN-6',
      });
    });
  });

  test('display falls back to DG1-4; the alternate coding travels as sent', () => {
    const lines = withField(
      withField(a03, 'DG1-3', 'I10^^I10^38341003^Hypertension^SCT'),
      'DG1-4',
      'Hypertension (DG1-4)',
    );
    expect(first(lines)).toMatchObject({
      display: 'Hypertension (DG1-4)',
      codings: [
        { system: 'I10', code: 'I10', display: 'Hypertension (DG1-4)' },
        { system: 'SCT', code: '38341003', display: 'Hypertension' },
      ],
    });
  });

  test('a sender with no DG1-16 gives recorder null', () => {
    expect(first(withField(a03, 'DG1-16', ''))).toMatchObject({ recorder: null });
  });
});
