/**
 * The answer to a transaction or batch Bundle: a transaction-response or batch-response Bundle
 * with one `response` per request entry, in entry order. Pure.
 */
import type { Rejection } from '../rejection.js';
import { fhirAnswerFor, informationOutcome, type OperationOutcome, toOperationOutcome } from './toOperationOutcome.js';

/** What became of one entry. A transaction has no `rejected` entry: one failure rejects it whole, with an OperationOutcome. */
export type FhirEntryAnswer =
  /** A new resource version, its events published (or none were due). */
  | { readonly outcome: 'created'; readonly resourceKey: string }
  /** A new version held until its patient's NHS number is known. */
  | { readonly outcome: 'parked'; readonly resourceKey: string }
  /** A version received before: nothing new. */
  | { readonly outcome: 'duplicate'; readonly resourceKey: string }
  | { readonly outcome: 'rejected'; readonly rejection: Rejection };

export type FhirEntryResponse = {
  readonly status: string;
  readonly location?: string;
  readonly etag?: string;
  readonly outcome?: OperationOutcome;
};

export type FhirResponseBundle = {
  readonly resourceType: 'Bundle';
  readonly type: 'transaction-response' | 'batch-response';
  readonly entry: readonly { readonly response: FhirEntryResponse }[];
};

const reasonPhrase = { 400: 'Bad Request', 409: 'Conflict', 422: 'Unprocessable Entity' } as const satisfies Record<
  400 | 409 | 422,
  string
>;

/** `Type/id/_history/v` gives a Location and an ETag; a resource known only by its fullUrl has neither. */
function versionHeaders(resourceKey: string): Pick<FhirEntryResponse, 'location' | 'etag'> {
  const version = /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}\/_history\/([A-Za-z0-9\-.]{1,64})$/.exec(resourceKey)?.[1];
  return version === undefined ? {} : { location: resourceKey, etag: `W/"${version}"` };
}

function responseFor(answer: FhirEntryAnswer, correlationId: string): FhirEntryResponse {
  switch (answer.outcome) {
    case 'created':
      return { status: '201 Created', ...versionHeaders(answer.resourceKey) };
    case 'parked':
      return {
        status: '202 Accepted',
        ...versionHeaders(answer.resourceKey),
        outcome: informationOutcome("accepted and held until the patient's NHS number is known"),
      };
    case 'duplicate':
      return {
        status: '200 OK',
        ...versionHeaders(answer.resourceKey),
        outcome: informationOutcome('already processed: this resource version was received before'),
      };
    case 'rejected': {
      const { httpStatus } = fhirAnswerFor[answer.rejection.kind];
      return {
        status: `${httpStatus} ${reasonPhrase[httpStatus]}`,
        outcome: toOperationOutcome(answer.rejection, correlationId),
      };
    }
  }
}

export function buildTransactionResponse(
  type: 'transaction' | 'batch',
  answers: readonly FhirEntryAnswer[],
  correlationId: string,
): FhirResponseBundle {
  return {
    resourceType: 'Bundle',
    type: type === 'transaction' ? 'transaction-response' : 'batch-response',
    entry: answers.map((answer) => ({ response: responseFor(answer, correlationId) })),
  };
}
