/**
 * Query parameters a route does not name are refused (400 naming the parameter), not ignored:
 * a misspelt filter (`stauts=active`) would otherwise widen the answer silently. Every route
 * outside /fhir gets a querystring schema that allows only the parameters it declares; FHIR
 * clients add their own (`_format`), so /fhir ignores unknown ones as FHIR servers may. Pure
 * (it edits route options as they are added).
 */
import type { RouteOptions } from 'fastify';

type Schema = { readonly type?: unknown; readonly properties?: unknown; readonly additionalProperties?: unknown };

/** For fastify's `onRoute` hook: registered before the routes it applies to. */
export function strictQueryParameters(route: RouteOptions): void {
  if (route.url.startsWith('/fhir')) return;
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const querystring = (schema.querystring ?? { type: 'object' }) as Schema;
  if (querystring.additionalProperties !== undefined) return;
  route.schema = { ...schema, querystring: { ...querystring, additionalProperties: false } };
}
