/**
 * FHIR R4 over HTTP: `POST /fhir/{Encounter|Condition|MedicationRequest}`, `POST /fhir`
 * (transaction and batch Bundles) and `POST /fhir/notify` (subscription notifications,
 * rest-hook), registered from the one route table (fhirEndpoints.ts), and `GET /fhir/metadata`
 * (the CapabilityStatement built from that table). Answers: 201 (new version) / 200 (duplicate,
 * Bundles) / 202 (parked) with the event ids, or an OperationOutcome; 503 when the log cannot
 * store it now. I/O (HTTP; package.json read once at registration).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemRenderer } from '../../core/problemDetails.js';
import { replyProblem } from '../../platform/replyProblem.js';
import { annotateActiveSpan } from '../../platform/tracing.js';
import type { IngestOutcome, IngestService } from '../ingest/ingestService.js';
import { buildTransactionResponse, type FhirEntryAnswer } from './buildTransactionResponse.js';
import { capabilityStatement } from './fhirCapability.js';
import { FHIR_BASE, FHIR_JSON, FHIR_REQUEST_TYPES, type FhirRoute, fhirRouteTable } from './fhirEndpoints.js';
import { fhirSpanAttributes } from './fhirSpanAttributes.js';
import { type FhirExtra, fhirEndpointName } from './interpretFhir.js';
import { fhirAnswerFor, informationOutcome, toOperationOutcome } from './toOperationOutcome.js';
import type { FhirEndpoint } from './validateFhirRequest.js';

const EVENT_ID_SYSTEM = 'https://clinical-event-log.example/fhir/event-id';
const PROBLEM_CODE_SYSTEM = 'https://clinical-event-log.example/problems';

/** FHIR issue types for the statuses a problem can have (R4 IssueType). */
const issueTypes: Readonly<Record<number, string>> = {
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  413: 'too-long',
  415: 'not-supported',
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

/** The service's name and version, from the nearest package.json above this module (source or dist). */
function readSoftware(): { readonly name: string; readonly version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (typeof name === 'string' && typeof version === 'string') return { name, version };
    }
    const parent = dirname(dir);
    if (parent === dir) return { name: 'clinical-event-log', version: '0.0.0' };
    dir = parent;
  }
}

/** `_format` values that mean FHIR JSON (FHIR R4 §3.1.0.1.7); anything else is 406. */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);

export type FhirRouteOptions = {
  readonly ingest: IngestService;
  readonly clock: () => Date;
  /** The configured token issuer (AUTH_ISSUER), named in the CapabilityStatement; undefined: the development issuer. */
  readonly issuer?: string | undefined;
};

export const fhirRoutes: FastifyPluginAsync<FhirRouteOptions> = async (app, { ingest, clock, issuer }) => {
  // The bytes as received go to the raw receipt. Any other media type is refused (415) before the pipeline:
  // fastify's text parser would hand over a string, not the bytes received.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
  for (const type of FHIR_REQUEST_TYPES) {
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
    annotateActiveSpan(() => fhirSpanAttributes(outcome));
    return answer(reply, outcome, endpoint);
  };

  const software = readSoftware();
  const startedAt = clock();
  const capabilities = async (request: FastifyRequest<{ Querystring: { _format?: unknown } }>, reply: FastifyReply) => {
    const format = request.query._format;
    if (format !== undefined && (typeof format !== 'string' || !JSON_FORMATS.has(format.trim().toLowerCase()))) {
      return replyProblem(
        reply,
        {
          status: 406,
          code: 'CEL_ERR_NOT_ACCEPTABLE',
          title: 'Not acceptable',
          detail: '_format must be json (or application/fhir+json): this server answers FHIR JSON only',
          location: '/_format',
          correlationId: String(request.id),
        },
        operationOutcomeOf,
      );
    }
    const baseUrl = `${request.protocol}://${request.host}${FHIR_BASE}`;
    return reply
      .type(FHIR_JSON)
      .send(capabilityStatement({ baseUrl, software, date: startedAt, issuer, routes: fhirRouteTable }));
  };

  const handlerOf = (route: FhirRoute) => {
    switch (route.kind) {
      case 'capabilities':
        return capabilities;
      case 'create':
        return handle(route.type);
      case 'bundle':
        return handle('Bundle');
      case 'notification':
        return handle('notification');
    }
  };
  for (const route of fhirRouteTable) app.route({ method: route.method, url: route.url, handler: handlerOf(route) });
};
