/**
 * An instant given as a query parameter (`asOf`, `dueBefore`, the audit `from`/`to`): RFC 3339
 * with its zone, a real calendar instant (2026-02-31 is refused, never rolled over), inside the
 * clinical window of core/valueDomain.ts; otherwise a refusal naming the parameter. Pure.
 */
import { err, ok, type Result } from '../core/result.js';
import { describeViolation, parseIsoInstant } from '../core/valueDomain.js';

export type BadInstant = { readonly code: 'CEL_ERR_BAD_INSTANT'; readonly detail: string; readonly location: string };

export function queryInstant(raw: string, name: string): Result<Date, BadInstant> {
  const parsed = parseIsoInstant(raw, { field: name, location: name });
  if (parsed.ok) return ok(parsed.value);
  return err({
    code: 'CEL_ERR_BAD_INSTANT',
    detail: `${describeViolation(parsed.error)}; expected an ISO 8601 instant with its time zone (2026-03-01T00:00:00Z)`,
    location: `/${name}`,
  });
}
