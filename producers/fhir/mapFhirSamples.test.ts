import { describe, expect, test } from 'vitest';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { toNeutral } from '../../test/support/neutralEvent.js';
import { type ExpectedOutcome, expectedOutcomes, sampleBytes } from '../../test/support/samples.js';
import { completeEvents, type MappedFacts } from '../eventDraft.js';
import type { Rejection } from '../rejection.js';
import { type FhirResourceResult, mapFhirBundle, mapFhirResource } from './mapFhirToEvents.js';
import { fhirAnswerFor } from './toOperationOutcome.js';
import { type FhirEndpoint, validateFhirRequest } from './validateFhirRequest.js';

const context = { receiptId: 'receipt-1', system: 'sample-sender.example' };
const recordedAt = new Date('2026-03-06T12:00:00Z');

const endpointOf = (request: string | undefined): FhirEndpoint => {
  if (request === 'POST [base]') return 'Bundle';
  if (request === 'POST [notify]') return 'notification';
  const type = /^POST \[base\]\/(Encounter|Condition|MedicationRequest)$/.exec(request ?? '')?.[1];
  if (type === 'Encounter' || type === 'Condition' || type === 'MedicationRequest') return type;
  throw new Error(`no endpoint for ${request}`);
};

type SampleRun =
  | { readonly outcome: 'rejected'; readonly rejection: Rejection }
  | { readonly outcome: 'accepted'; readonly keys: readonly string[]; readonly facts: readonly MappedFacts[] };

/** validate → map, as the HTTP layer runs them, up to the facts it would publish. */
function run(sample: ExpectedOutcome): SampleRun {
  const body: unknown = JSON.parse(new TextDecoder().decode(sampleBytes(sample.input)));
  const accepted = validateFhirRequest(endpointOf(sample.request), body);
  if (!accepted.ok) return { outcome: 'rejected', rejection: accepted.error };
  const results: { key: string; result: FhirResourceResult }[] = [];
  if (accepted.value.resourceType === 'Bundle') {
    const bundle = mapFhirBundle(accepted.value, context);
    if (!bundle.ok) return { outcome: 'rejected', rejection: bundle.error };
    results.push(...bundle.value.entries.map((entry) => ({ key: entry.resourceKey, result: entry.result })));
  } else {
    const { resourceType, id, meta } = accepted.value;
    results.push({
      key: `${resourceType}/${id}/_history/${meta?.versionId ?? '1'}`,
      result: mapFhirResource(accepted.value, context),
    });
  }
  const facts: MappedFacts[] = [];
  for (const { result } of results) {
    if (!result.ok) return { outcome: 'rejected', rejection: result.error };
    if (result.value !== undefined) facts.push(result.value);
  }
  return { outcome: 'accepted', keys: results.map(({ key }) => key), facts };
}

function eventsOf(facts: readonly MappedFacts[]): readonly ClinicalEvent[] {
  return facts.flatMap(({ patient, source, drafts }) => {
    if (patient.nhsNumber === undefined) throw new Error('every FHIR sample carries an NHS number');
    return completeEvents({
      drafts,
      patient: { nhsNumber: patient.nhsNumber, nhsNumberVerificationStatus: null, localIdentifiers: [] },
      source,
      recordedAt,
      correlationId: 'correlation-1',
    });
  });
}

const samples = expectedOutcomes('fhir').map((sample) => ({ name: sample.input, sample }));

describe('the FHIR samples', () => {
  test('all thirteen have an expected outcome', () => {
    expect(samples).toHaveLength(13);
  });

  test.each(samples.filter(({ sample }) => sample.outcome === 'accepted'))(
    '$name gives its expected events in order',
    ({ sample }) => {
      const outcome = run(sample);
      expect(outcome.outcome).toBe('accepted');
      if (outcome.outcome !== 'accepted') return;
      expect(eventsOf(outcome.facts).map(toNeutral)).toEqual(sample.events);
    },
  );

  test.each(samples.filter(({ sample }) => sample.outcome === 'accepted'))(
    '$name: each event is keyed by its source identity',
    ({ sample }) => {
      const outcome = run(sample);
      if (outcome.outcome !== 'accepted') throw new Error(`${sample.input} was rejected`);
      expect(outcome.keys).toEqual((sample as { sourceIdentity?: unknown }).sourceIdentity);
      expect(outcome.facts.flatMap((f) => f.drafts.map((d) => d.place))).toEqual(outcome.keys);
    },
  );

  test.each(samples.filter(({ sample }) => sample.outcome === 'rejected'))(
    '$name is rejected with its expected status, location and issue code',
    ({ sample }) => {
      const outcome = run(sample);
      expect(outcome.outcome).toBe('rejected');
      if (outcome.outcome !== 'rejected') return;
      const answer = fhirAnswerFor[outcome.rejection.kind];
      expect({
        httpStatus: answer.httpStatus,
        location: outcome.rejection.location,
        fhirIssueCode: answer.issueCode,
      }).toEqual({
        httpStatus: sample.httpStatus,
        location: sample.error?.location,
        fhirIssueCode: sample.error?.fhirIssueCode,
      });
    },
  );
});
