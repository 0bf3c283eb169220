/**
 * FHIR R4 over HTTP: `POST /fhir/{Encounter|Condition|MedicationRequest}`, `POST /fhir`
 * (transaction and batch Bundles) and `POST /fhir/notify` (subscription notifications,
 * rest-hook). Answers: 201 (new version) / 200 (duplicate, Bundles) / 202 (parked) with the
 * event ids, or an OperationOutcome; 503 when the log cannot store it now. I/O (HTTP).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemRenderer } from '../../core/problemDetails.js';
import { replyProblem } from '../../platform/replyProblem.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { buildTransactionResponse, type FhirEntryAnswer } from './buildTransactionResponse.js';
import { type FhirExtra, fhirEndpointName } from './interpretFhir.js';
import { fhirAnswerFor, informationOutcome, toOperationOutcome } from './toOperationOutcome.js';
import type { FhirEndpoint } from './validateFhirRequest.js';

const FHIR_JSON = 'application/fhir+json';
const EVENT_ID_SYSTEM = 'https://clinical-event-log.example/fhir/event-id';
const PROBLEM_CODE_SYSTEM = 'https://clinical-event-log.example/problems';

/** FHIR issue types for the statuses a problem can have (R4 IssueType). */
const issueTypes: Readonly<Record<number, string>> = {
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  429: 'throttled',
  503: 'transient',
};
const issueTypeOf = (status: number) => issueTypes[status] ?? (status >= 500 ? 'exception' : 'invalid');

/** A problem as the FHIR API answers it: an OperationOutcome carrying the code, location and correlation id. */
export const operationOutcomeOf: ProblemRenderer = (problem) => ({
  contentType: FHIR_JSON,
  body: {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: issueTypeOf(problem.status),
        details: { coding: [{ system: PROBLEM_CODE_SYSTEM, code: problem.code }], text: problem.title },
        diagnostics: `${problem.detail}. correlationId=${problem.correlationId}`,
        ...(problem.location === undefined ? {} : { expression: [problem.location] }),
      },
    ],
  },
});

function acceptedOutcome(text: string, eventIds: readonly string[], correlationId: string) {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      { severity: 'information', code: 'informational', diagnostics: `${text}; correlationId=${correlationId}` },
      ...eventIds.map((id) => ({
        severity: 'information',
        code: 'informational',
        details: { coding: [{ system: EVENT_ID_SYSTEM, code: id }], text: 'event id' },
      })),
    ],
  };
}

function entryAnswers(
  outcome: Extract<IngestOutcome, { kind: 'accepted' | 'duplicate' }>,
  extra: FhirExtra,
): readonly FhirEntryAnswer[] {
  if (extra.shape === 'resource') return [];
  const fresh = new Set(outcome.kind === 'accepted' ? outcome.newEventIds : []);
  const parked = new Set(outcome.kind === 'accepted' ? outcome.parkedUnits : []);
  const refused = new Map(outcome.refusedUnits.map((r) => [r.unit, r.rejection]));
  return extra.entries.map((entry): FhirEntryAnswer => {
    if (entry.rejection !== undefined) return { outcome: 'rejected', rejection: entry.rejection };
    const refusal = entry.unit === undefined ? undefined : refused.get(entry.unit);
    if (refusal !== undefined) return { outcome: 'rejected', rejection: refusal };
    if (entry.unit !== undefined && parked.has(entry.unit))
      return { outcome: 'parked', resourceKey: entry.resourceKey };
    const events = outcome.events.filter((e) => e.source.place === entry.resourceKey);
    const isDuplicate = events.length > 0 && events.every((e) => !fresh.has(e.eventId));
    return { outcome: isDuplicate ? 'duplicate' : 'created', resourceKey: entry.resourceKey };
  });
}

async function answer(reply: FastifyReply, outcome: IngestOutcome, endpoint: FhirEndpoint): Promise<FastifyReply> {
  const correlationId = outcome.correlationId;
  void reply.type(FHIR_JSON);
  if (outcome.kind === 'unavailable') {
    return replyProblem(
      reply,
      {
        status: 503,
        code: 'CEL_ERR_PUBLISH_UNAVAILABLE',
        title: 'Log unavailable',
        detail: 'the event log could not store this now; resend',
        correlationId,
        retryAfterSeconds: 5,
      },
      operationOutcomeOf,
    );
  }
  if (outcome.kind === 'rejected') {
    return reply
      .status(fhirAnswerFor[outcome.rejection.kind].httpStatus)
      .send(toOperationOutcome(outcome.rejection, correlationId));
  }
  if (outcome.kind === 'parked') {
    return reply
      .status(202)
      .send(
        informationOutcome(
          `held until the patient can be identified (park id ${outcome.parkId}); correlationId=${correlationId}`,
        ),
      );
  }
  if (outcome.kind === 'ignored')
    return reply.status(200).send(informationOutcome(`nothing to record; correlationId=${correlationId}`));
  const extra = outcome.interpretation.extra as FhirExtra | undefined;
  const eventIds = outcome.events.map((e) => e.eventId);
  if (extra !== undefined && (extra.shape === 'transaction' || extra.shape === 'batch')) {
    return reply.status(200).send(buildTransactionResponse(extra.shape, entryAnswers(outcome, extra), correlationId));
  }
  if (endpoint === 'notification') {
    return reply.status(200).send(acceptedOutcome(`notification processed (${outcome.kind})`, eventIds, correlationId));
  }
  if (outcome.kind === 'duplicate') {
    return reply
      .status(200)
      .send(acceptedOutcome('duplicate of a version already received; nothing new stored', eventIds, correlationId));
  }
  const resourceKey = extra?.shape === 'resource' ? extra.resourceKey : undefined;
  if (resourceKey?.includes('/_history/')) {
    void reply.header('location', resourceKey).header('etag', `W/"${resourceKey.split('/_history/')[1] ?? '1'}"`);
  }
  return reply.status(201).send(acceptedOutcome('stored', eventIds, correlationId));
}

export const fhirRoutes: FastifyPluginAsync<{ readonly ingest: IngestService; readonly clock: () => Date }> = async (
  app,
  { ingest, clock },
) => {
  // The bytes as received go to the raw receipt. Any other media type is refused (415) before the pipeline:
  // fastify's text parser would hand over a string, not the bytes received.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
  for (const type of ['application/fhir+json', 'application/json']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  }

  const handle = (endpoint: FhirEndpoint) => async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await ingest.ingest({
      receiptId: randomUUID(),
      receivedAt: clock(),
      channel: 'FHIR',
      endpoint: fhirEndpointName(endpoint),
      contentType: FHIR_JSON,
      payload: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      correlationId: String(request.id),
      remoteAddress: request.ip,
      messageType: endpoint,
      messageId: null,
    });
    return answer(reply, outcome, endpoint);
  };

  app.post('/fhir/Encounter', handle('Encounter'));
  app.post('/fhir/Condition', handle('Condition'));
  app.post('/fhir/MedicationRequest', handle('MedicationRequest'));
  app.post('/fhir', handle('Bundle'));
  app.post('/fhir/notify', handle('notification'));
};
