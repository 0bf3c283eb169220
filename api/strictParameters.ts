/**
 * Two rules the JSON Schemas alone do not give, applied to every route as it is added:
 * - a query parameter a route does not name is refused (400 naming it), not ignored: a
 *   misspelt filter (`stauts=active`) would otherwise widen the answer silently. FHIR clients
 *   add their own (`_format`), so /fhir ignores unknown ones, as FHIR servers may;
 * - an integer parameter (path or query) is written in decimal digits: schema coercion would
 *   read `1e400` as Infinity and `0x10` as 16, and Infinity passes its bounds.
 * I/O only in the 400 it sends.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { replyBadRequest } from './problemDetails.js';

type Schema = { readonly type?: unknown; readonly properties?: Record<string, { readonly type?: unknown }> };

const DECIMAL = /^-?\d+$/;

const integerNames = (schema: Schema | undefined): readonly string[] =>
  Object.entries(schema?.properties ?? {})
    .filter(([, p]) => p.type === 'integer')
    .map(([name]) => name);

/** For fastify's `onRoute` hook: registered before the routes it applies to. */
export function strictParameters(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (!route.url.startsWith('/fhir')) {
    const querystring = (schema.querystring ?? { type: 'object' }) as Schema & { additionalProperties?: unknown };
    if (querystring.additionalProperties === undefined)
      route.schema = { ...schema, querystring: { ...querystring, additionalProperties: false } };
  }
  const integers = [
    ...integerNames(schema.params as Schema | undefined).map((name) => ['params', name] as const),
    ...integerNames(schema.querystring as Schema | undefined).map((name) => ['query', name] as const),
  ];
  if (integers.length === 0) return;
  const decimalIntegers = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const [part, name] of integers) {
      const raw = (request[part] as Record<string, unknown> | undefined)?.[name];
      const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      if (values.every((v) => typeof v !== 'string' || DECIMAL.test(v))) continue;
      return replyBadRequest(reply, String(request.id), {
        code: 'CEL_ERR_BAD_REQUEST',
        detail: `${name} must be a whole number written in decimal digits`,
        location: `/${name}`,
      });
    }
  };
  const existing = route.preValidation;
  route.preValidation = [
    ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
    decimalIntegers,
  ];
}
