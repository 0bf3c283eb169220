/** The `:nhs` path parameter of the patient routes: a valid NHS number, or a 400 naming it. I/O (the reply). */
import type { FastifyReply } from 'fastify';
import { describeNhsNumberError, parseNhsNumber } from '../core/nhsNumber.js';
import { replyBadRequest, replyNotFound } from './problemDetails.js';

/** The NHS number in `raw`; otherwise the 400 is sent and the result is undefined. */
export function patientParam(raw: string, reply: FastifyReply, correlationId: string): string | undefined {
  const nhs = parseNhsNumber(raw);
  if (nhs.ok) return nhs.value;
  void replyBadRequest(reply, correlationId, {
    code: 'CEL_ERR_INVALID_NHS_NUMBER',
    detail: describeNhsNumberError(nhs.error),
    location: '/nhs',
  });
  return undefined;
}

/** 404 for a patient the store behind the route has never seen; `detail` says which store. */
export const replyUnknownPatient = (reply: FastifyReply, correlationId: string, detail: string): FastifyReply =>
  replyNotFound(reply, correlationId, { code: 'CEL_ERR_UNKNOWN_PATIENT', title: 'Unknown patient', detail });
