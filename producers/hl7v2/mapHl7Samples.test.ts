import { describe, expect, test } from 'vitest';
import { eventIdFor } from '../../core/eventIdentity.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { mapHl7Bytes } from '../../test/support/hl7Lines.js';
import { toNeutral } from '../../test/support/neutralEvent.js';
import { type ExpectedOutcome, expectedOutcomes, sampleBytes } from '../../test/support/samples.js';
import { completeEvents, type MappedFacts } from '../eventDraft.js';
import { ackRules } from './buildAck.js';

const outcomes = expectedOutcomes('hl7v2');
const byInput = new Map(outcomes.map((outcome) => [outcome.input, outcome]));
const named = (wanted: readonly ExpectedOutcome['outcome'][]) =>
  outcomes
    .filter((outcome) => wanted.includes(outcome.outcome))
    .map((outcome) => ({ ...outcome, name: outcome.input }));

function mapSample(input: string) {
  return mapHl7Bytes(sampleBytes(input), 'receipt-1');
}

function factsOf(input: string): MappedFacts {
  const mapped = mapSample(input);
  if (!mapped.ok) throw new Error(`${input} was rejected: ${mapped.error.reason}`);
  if (mapped.value.kind !== 'events') throw new Error(`${input} was ${mapped.value.kind}`);
  return mapped.value.facts;
}

/** The events as the pipeline completes them, for the patient the pipeline resolved. */
function eventsOf(facts: MappedFacts, nhsNumber: string): readonly ClinicalEvent[] {
  return completeEvents({
    drafts: facts.drafts,
    patient: { nhsNumber, nhsNumberVerificationStatus: null, localIdentifiers: facts.patient.localIdentifiers },
    source: facts.source,
    recordedAt: new Date('2026-03-06T12:00:00Z'),
    correlationId: 'correlation-1',
  });
}

/** The expected files name the first occurrence's position (`DG1-3`); ours adds `[n]` for a later one. */
const withoutOccurrence = (location: string): string => location.replace(/\[\d+\]/, '');

describe('HL7 v2 samples through mapHl7ToEvents', () => {
  test('there is an expected outcome for every HL7 sample', () => {
    expect(outcomes).toHaveLength(20);
  });

  test.each(named(['accepted', 'duplicate']))('$name maps to its expected events', (outcome) => {
    const facts = factsOf(outcome.input);
    const nhsNumber = facts.patient.nhsNumber ?? outcome.resolvedThrough?.nhsNumber;
    if (nhsNumber === undefined) throw new Error(`${outcome.input}: no NHS number and no resolvedThrough`);
    // A duplicate maps like its original: recognising it is the pipeline's job, not the mapper's.
    const original = outcome.duplicateOf === undefined ? outcome : byInput.get(outcome.duplicateOf);
    expect(eventsOf(facts, nhsNumber).map(toNeutral)).toEqual(original?.events);
  });

  test.each(named(['parked']))('$name maps, once resolved, to its eventsWhenResolved', (outcome) => {
    const facts = factsOf(outcome.input);
    const nhsNumber = outcome.eventsWhenResolved?.[0]?.nhsNumber;
    if (typeof nhsNumber !== 'string') throw new Error(`${outcome.input}: no eventsWhenResolved`);
    expect(eventsOf(facts, nhsNumber).map(toNeutral)).toEqual(outcome.eventsWhenResolved);
  });

  test.each(named(['ignored']))('$name is ignored, with its patient read', (outcome) => {
    const mapped = mapSample(outcome.input);
    expect(mapped.ok && mapped.value.kind).toBe('ignored');
    expect(mapped.ok && mapped.value.kind === 'ignored' && mapped.value.patient?.nhsNumber).toBe('9994000535');
  });

  test.each(named(['rejected']))('$name is rejected with its expected ACK code and location', (outcome) => {
    const mapped = mapSample(outcome.input);
    if (mapped.ok) throw new Error(`${outcome.input} was not rejected`);
    const rule = ackRules[mapped.error.kind];
    expect({
      ack: rule.ack,
      hl7ErrorCode: rule.hl7ErrorCode,
      location: withoutOccurrence(mapped.error.location),
    }).toEqual({ ack: outcome.ack, hl7ErrorCode: outcome.error?.hl7ErrorCode, location: outcome.error?.location });
  });

  test('a rejection names the occurrence of a repeating segment: DG1 2 of the unknown coding system', () => {
    const mapped = mapSample('hl7v2/bad_dg1_unknown_coding_system.hl7');
    expect(mapped.ok ? undefined : mapped.error).toMatchObject({ kind: 'unknown-code-system', location: 'DG1[2]-3' });
  });

  test.each([
    { name: 'MRN-only order resolved through a learned mapping', input: 'hl7v2/orm_o01_mrn_only.hl7' },
    { name: 'MRN-only A08 that is parked', input: 'hl7v2/adt_a08_mrn_only_parked.hl7' },
  ])('$name: facts with no NHS number and the MRN as a local identifier', ({ input }) => {
    const outcome = byInput.get(input);
    const mrn = outcome?.resolvedThrough ?? outcome?.parkedOn;
    expect(factsOf(input).patient).toEqual({
      nhsNumber: undefined,
      nhsNumberVerificationStatus: null,
      localIdentifiers: [{ authority: mrn?.assigningAuthority, value: mrn?.mrn, identifierType: 'MR' }],
    });
  });

  test.each(named(['accepted']).filter((outcome) => outcome.learnsIdentity !== undefined))(
    '$name carries both identifiers, so it can teach its MRN',
    (outcome) => {
      const { patient } = factsOf(outcome.input);
      const taught = (
        outcome.learnsIdentity as readonly { mrn: string; assigningAuthority: string; nhsNumber: string }[]
      )[0];
      expect(patient.nhsNumber).toBe(taught?.nhsNumber);
      expect(patient.localIdentifiers).toContainEqual({
        authority: taught?.assigningAuthority,
        value: taught?.mrn,
        identifierType: 'MR',
      });
    },
  );
});

describe('identity of the sample facts', () => {
  const eventIds = (input: string): readonly string[] =>
    factsOf(input).drafts.map((draft) => eventIdFor(draft.dedupKey));

  test('a byte-identical resend maps to the same event ids', () => {
    expect(sampleBytes('hl7v2/adt_a03_discharge_resend.hl7')).toEqual(sampleBytes('hl7v2/adt_a03_discharge.hl7'));
    expect(eventIds('hl7v2/adt_a03_discharge_resend.hl7')).toEqual(eventIds('hl7v2/adt_a03_discharge.hl7'));
  });

  test('the same MSH-10 from two senders gives different event ids, because the sender is in the key', () => {
    const a03 = factsOf('hl7v2/adt_a03_nhs_and_mrn.hl7');
    const rde = factsOf('hl7v2/rde_o11_new_order.hl7');
    expect([a03.source.messageId, rde.source.messageId]).toEqual(['100234', '100234']);
    expect(a03.drafts.map((draft) => draft.dedupKey)).toEqual([
      'hl7v2|PAS|RXX01|100234|PV1',
      'hl7v2|PAS|RXX01|100234|DG1#1',
      'hl7v2|PAS|RXX01|100234|DG1#2',
    ]);
    expect(rde.drafts.map((draft) => draft.dedupKey)).toEqual(['hl7v2|EPMA|RXX01|100234|ORC#1']);
    const ids = new Set(eventIds('hl7v2/adt_a03_nhs_and_mrn.hl7'));
    expect(eventIds('hl7v2/rde_o11_new_order.hl7').filter((id) => ids.has(id))).toEqual([]);
  });

  test('every sample fact has its own event id', () => {
    const all = named(['accepted', 'parked']).flatMap((outcome) => eventIds(outcome.input));
    expect(new Set(all).size).toBe(all.length);
  });

  test('the source block names the message', () => {
    expect(factsOf('hl7v2/adt_a03_utf8.hl7').source).toEqual({
      channel: 'HL7V2',
      system: 'PAS',
      facility: 'RXX01',
      messageType: 'ADT^A03',
      messageId: '100415',
      messageVersion: '2.5.1',
      receiptId: 'receipt-1',
    });
  });

  test('the events carry what the neutral form leaves out', () => {
    const [discharge, diagnosis] = factsOf('hl7v2/adt_a03_discharge.hl7').drafts;
    expect(discharge).toMatchObject({ type: 'PatientDischarged', encounterClass: 'I', place: 'PV1' });
    expect(diagnosis).toMatchObject({
      type: 'DiagnosisRecorded',
      codings: [{ system: 'SCT', code: '233604007', display: 'Pneumonia' }],
      recorder: 'C9999001',
      onset: null,
      clinicalStatus: null,
      place: 'DG1#1',
    });
    const [order] = factsOf('hl7v2/rde_o11_new_order.hl7').drafts;
    expect(order).toMatchObject({
      type: 'MedicationOrdered',
      placerNamespace: 'EPMA',
      startAt: new Date('2026-03-02T12:00:00Z'),
      stopAt: new Date('2026-03-09T12:00:00Z'),
      encounterId: 'V20260301001',
      reason: null,
    });
  });
});
