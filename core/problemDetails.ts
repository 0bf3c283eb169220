/**
 * The one shape of an HTTP problem answer: status, stable code, title, detail, the location
 * of the fault (a JSON pointer) and the correlation id, as an RFC 9457 problem+json body.
 * Every route answers its problems from this value (platform/replyProblem.ts), in its own
 * representation (problem+json, or an OperationOutcome under /fhir). Pure.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** What went wrong, before it is rendered for a channel. */
export type Problem = {
  readonly status: number;
  /** Stable, `CEL_ERR_…`, one line each in api/README.md. */
  readonly code: string;
  readonly title: string;
  /** What, where and what to do; never patient data or payload text. */
  readonly detail: string;
  /** JSON pointer of the parameter or field at fault (`/limit`, `/headers/x-correlation-id`). */
  readonly location?: string | undefined;
  readonly correlationId: string;
  /** Sent as `Retry-After` (seconds) when a retry is expected to work. */
  readonly retryAfterSeconds?: number | undefined;
};

export type ProblemDetails = {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly location?: string;
  readonly correlationId: string;
};

/** The problem+json body (RFC 9457) of a problem. */
export function problemDetails(problem: Problem): ProblemDetails {
  return {
    type: `https://clinical-event-log.example/problems/${problem.code.toLowerCase()}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    ...(problem.location === undefined ? {} : { location: problem.location }),
    correlationId: problem.correlationId,
  };
}

/** The code a refused submission answers with: its rejection kind, `invalid-nhs-number` → `CEL_ERR_INVALID_NHS_NUMBER`. */
export const rejectionCode = (kind: string): string => `CEL_ERR_${kind.toUpperCase().replace(/-/g, '_')}`;

/** A problem in one representation: the content type and the body to send. */
export type ProblemRenderer = (problem: Problem) => { readonly contentType: string; readonly body: unknown };

export const problemJson: ProblemRenderer = (problem) => ({
  contentType: PROBLEM_CONTENT_TYPE,
  body: problemDetails(problem),
});
