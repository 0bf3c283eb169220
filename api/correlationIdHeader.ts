/**
 * The `X-Correlation-Id` a client sends: taken as the request's correlation id when it is 1 to
 * CORRELATION_ID_MAX_LENGTH visible ASCII characters (it is echoed in a response header and
 * indexed by the audit index); refused with a 400 naming the header otherwise, never cut. Pure.
 */
import { CORRELATION_ID_MAX_LENGTH } from '../core/valueDomain.js';
import type { Refusal } from './problemDetails.js';

export const CORRELATION_HEADER = 'x-correlation-id';

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The header's value as the correlation id, undefined when absent, or why it is refused. */
export function readCorrelationIdHeader(raw: string | string[] | undefined): string | undefined | Refusal {
  if (raw === undefined) return undefined;
  const refusal = (detail: string): Refusal => ({
    code: 'CEL_ERR_BAD_CORRELATION_ID',
    detail: `X-Correlation-Id ${detail}; send 1 to ${CORRELATION_ID_MAX_LENGTH} visible ASCII characters, or leave it out and one is made`,
    location: `/headers/${CORRELATION_HEADER}`,
  });
  if (Array.isArray(raw)) return refusal('is sent more than once');
  if (raw.length > CORRELATION_ID_MAX_LENGTH) return refusal(`is ${raw.length} characters long`);
  if (!VISIBLE_ASCII.test(raw)) return refusal('is empty or holds spaces, control or non-ASCII characters');
  return raw;
}
