/**
 * The Confluent Schema Registry REST API over SchemaRegistry: paths, request and response
 * schemas, and each outcome turned into the status and body Confluent gives. I/O (HTTP).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { err, type Result } from '../core/result.js';
import { SCHEMA_TYPES } from './parseSchemaRequest.js';
import { type RegistryProblem, toErrorResponse } from './registryErrors.js';
import type { SchemaRegistry } from './schemaRegistry.js';

export type RegistryRoutesOptions = { readonly registry: SchemaRegistry };

type SubjectParams = { subject: string };
type VersionParams = { subject: string; version: string };
type IdParams = { id: string };
/** Confluent reads these flags with Java's Boolean.valueOf: "true" in any case is true, anything else false. */
type Flags = { deleted?: string; permanent?: string; verbose?: string; defaultToGlobal?: string };

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const subjectParams = { type: 'object', required: ['subject'], properties: { subject: str } } as const;
const versionParams = {
  type: 'object',
  required: ['subject', 'version'],
  properties: { subject: str, version: str },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: str } } as const;
const flags = {
  type: 'object',
  properties: { deleted: str, permanent: str, verbose: str, defaultToGlobal: str },
} as const;

const errorBody = {
  type: 'object',
  required: ['error_code', 'message'],
  properties: { error_code: int, message: str },
} as const;
const errors = { '4xx': errorBody, '5xx': errorBody } as const;
const subjectSchemaBody = {
  type: 'object',
  required: ['subject', 'version', 'id', 'schema'],
  properties: { subject: str, version: int, id: int, schema: str },
} as const;
const intList = { type: 'array', items: int } as const;
const levelBody = {
  type: 'object',
  required: ['compatibilityLevel'],
  properties: { compatibilityLevel: str },
} as const;
const updatedLevelBody = { type: 'object', required: ['compatibility'], properties: { compatibility: str } } as const;
const verdictBody = {
  type: 'object',
  required: ['is_compatible'],
  properties: { is_compatible: { type: 'boolean' }, messages: { type: 'array', items: str } },
} as const;

const MAX_SCHEMA_ID = 2 ** 31 - 1;

export const registryRoutes: FastifyPluginAsync<RegistryRoutesOptions> = async (app, { registry }) => {
  app.get('/', { schema: { response: { 200: { type: 'object' } } } }, async () => ({}));

  app.get('/schemas/types', { schema: { response: { 200: { type: 'array', items: str } } } }, async () => SCHEMA_TYPES);

  app.get<{ Params: IdParams }>(
    '/schemas/ids/:id',
    {
      schema: {
        params: idParams,
        response: { 200: { type: 'object', required: ['schema'], properties: { schema: str } }, ...errors },
      },
    },
    async (request, reply) => {
      const id = parseSchemaId(request.params.id);
      const found = id === undefined ? notFound() : await registry.readSchemaById(id);
      // Confluent leaves schemaType out for AVRO, the only type held here.
      return answer(reply, found, (schema) => ({ schema: schema.schema }));
    },
  );

  app.get<{ Params: IdParams }>(
    '/schemas/ids/:id/schema',
    { schema: { params: idParams, response: errors } },
    async (request, reply) => {
      const id = parseSchemaId(request.params.id);
      const found = id === undefined ? notFound() : await registry.readSchemaById(id);
      return answer(reply, found, (schema) => schema.schema);
    },
  );

  app.get<{ Params: IdParams }>(
    '/schemas/ids/:id/versions',
    {
      schema: {
        params: idParams,
        response: {
          200: {
            type: 'array',
            items: { type: 'object', required: ['subject', 'version'], properties: { subject: str, version: int } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const id = parseSchemaId(request.params.id);
      return answer(reply, id === undefined ? notFound() : await registry.readSchemaUsages(id));
    },
  );

  app.get<{ Querystring: Flags }>(
    '/subjects',
    { schema: { querystring: flags, response: { 200: { type: 'array', items: str }, ...errors } } },
    async (request) => registry.listSubjects({ includeDeleted: flag(request.query.deleted) }),
  );

  app.post<{ Params: SubjectParams; Querystring: Flags }>(
    '/subjects/:subject',
    { schema: { params: subjectParams, querystring: flags, response: { 200: subjectSchemaBody, ...errors } } },
    async (request, reply) =>
      answer(
        reply,
        await registry.lookupSchema(request.params.subject, request.body, {
          includeDeleted: flag(request.query.deleted),
        }),
      ),
  );

  app.delete<{ Params: SubjectParams; Querystring: Flags }>(
    '/subjects/:subject',
    { schema: { params: subjectParams, querystring: flags, response: { 200: intList, ...errors } } },
    async (request, reply) =>
      answer(reply, await registry.deleteSubject(request.params.subject, flag(request.query.permanent))),
  );

  app.get<{ Params: SubjectParams; Querystring: Flags }>(
    '/subjects/:subject/versions',
    { schema: { params: subjectParams, querystring: flags, response: { 200: intList, ...errors } } },
    async (request, reply) =>
      answer(
        reply,
        await registry.listVersions(request.params.subject, { includeDeleted: flag(request.query.deleted) }),
      ),
  );

  app.post<{ Params: SubjectParams }>(
    '/subjects/:subject/versions',
    {
      schema: {
        params: subjectParams,
        response: { 200: { type: 'object', required: ['id'], properties: { id: int } }, ...errors },
      },
    },
    async (request, reply) => answer(reply, await registry.registerSchema(request.params.subject, request.body)),
  );

  app.get<{ Params: VersionParams; Querystring: Flags }>(
    '/subjects/:subject/versions/:version',
    { schema: { params: versionParams, querystring: flags, response: { 200: subjectSchemaBody, ...errors } } },
    async (request, reply) =>
      answer(
        reply,
        await registry.readVersion(request.params.subject, request.params.version, {
          includeDeleted: flag(request.query.deleted),
        }),
      ),
  );

  app.get<{ Params: VersionParams; Querystring: Flags }>(
    '/subjects/:subject/versions/:version/schema',
    { schema: { params: versionParams, querystring: flags, response: errors } },
    async (request, reply) =>
      answer(
        reply,
        await registry.readVersion(request.params.subject, request.params.version, {
          includeDeleted: flag(request.query.deleted),
        }),
        (version) => version.schema,
      ),
  );

  app.delete<{ Params: VersionParams; Querystring: Flags }>(
    '/subjects/:subject/versions/:version',
    { schema: { params: versionParams, querystring: flags, response: { 200: int, ...errors } } },
    async (request, reply) =>
      answer(
        reply,
        await registry.deleteVersion(request.params.subject, request.params.version, flag(request.query.permanent)),
      ),
  );

  app.post<{ Params: VersionParams; Querystring: Flags }>(
    '/compatibility/subjects/:subject/versions/:version',
    { schema: { params: versionParams, querystring: flags, response: { 200: verdictBody, ...errors } } },
    async (request, reply) => {
      const verbose = flag(request.query.verbose);
      const { subject, version } = request.params;
      const verdict = await registry.testCompatibility(subject, version, request.body, { verbose });
      return answer(reply, verdict, (v) => toVerdictBody(v, verbose));
    },
  );

  app.post<{ Params: SubjectParams; Querystring: Flags }>(
    '/compatibility/subjects/:subject/versions',
    { schema: { params: subjectParams, querystring: flags, response: { 200: verdictBody, ...errors } } },
    async (request, reply) => {
      const verbose = flag(request.query.verbose);
      const verdict = await registry.testCompatibility(request.params.subject, undefined, request.body, { verbose });
      return answer(reply, verdict, (v) => toVerdictBody(v, verbose));
    },
  );

  app.get<{ Querystring: Flags }>(
    '/config',
    { schema: { querystring: flags, response: { 200: levelBody, ...errors } } },
    async (_request, reply) =>
      answer(reply, await registry.readLevel(undefined, { defaultToGlobal: true }), toLevelBody),
  );

  app.put('/config', { schema: { response: { 200: updatedLevelBody, ...errors } } }, async (request, reply) =>
    answer(reply, await registry.writeLevel(undefined, request.body), toUpdatedLevelBody),
  );

  app.delete('/config', { schema: { response: { 200: levelBody, ...errors } } }, async (_request, reply) =>
    answer(reply, await registry.deleteLevel(undefined), toLevelBody),
  );

  app.get<{ Params: SubjectParams; Querystring: Flags }>(
    '/config/:subject',
    { schema: { params: subjectParams, querystring: flags, response: { 200: levelBody, ...errors } } },
    async (request, reply) =>
      answer(
        reply,
        await registry.readLevel(request.params.subject, { defaultToGlobal: flag(request.query.defaultToGlobal) }),
        toLevelBody,
      ),
  );

  app.put<{ Params: SubjectParams }>(
    '/config/:subject',
    { schema: { params: subjectParams, response: { 200: updatedLevelBody, ...errors } } },
    async (request, reply) =>
      answer(reply, await registry.writeLevel(request.params.subject, request.body), toUpdatedLevelBody),
  );

  app.delete<{ Params: SubjectParams }>(
    '/config/:subject',
    { schema: { params: subjectParams, response: { 200: levelBody, ...errors } } },
    async (request, reply) => answer(reply, await registry.deleteLevel(request.params.subject), toLevelBody),
  );
};

/** The value to send, or the Confluent error with its status set on the reply. */
function answer<T, R = T>(
  reply: FastifyReply,
  result: Result<T, RegistryProblem>,
  toBody: (value: T) => R = (value) => value as unknown as R,
): R | { readonly error_code: number; readonly message: string } {
  if (result.ok) return toBody(result.value);
  const { httpStatus, body } = toErrorResponse(result.error);
  void reply.code(httpStatus);
  return body;
}

function notFound(): Result<never, RegistryProblem> {
  return err({ kind: 'schema-not-found' });
}

/** Confluent's ids are 32-bit; anything else in the path names no schema. */
function parseSchemaId(raw: string): number | undefined {
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_SCHEMA_ID ? id : undefined;
}

function flag(raw: string | undefined): boolean {
  return raw?.toLowerCase() === 'true';
}

function toLevelBody(level: string): { readonly compatibilityLevel: string } {
  return { compatibilityLevel: level };
}

function toUpdatedLevelBody(level: string): { readonly compatibility: string } {
  return { compatibility: level };
}

function toVerdictBody(
  verdict: { readonly compatible: boolean; readonly messages: readonly string[] },
  verbose: boolean,
): { readonly is_compatible: boolean; readonly messages?: readonly string[] } {
  return verbose
    ? { is_compatible: verdict.compatible, messages: verdict.messages }
    : { is_compatible: verdict.compatible };
}
