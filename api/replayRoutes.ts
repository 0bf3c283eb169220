/**
 * `GET /replay/events?from&to[&kinds][&time]`: a window of the canonical log as NDJSON, the
 * same bytes as `npm run replay -- export --format jsonl` for the same window. At most 31 days
 * per request and a few requests at a time; a bad window is a 400 before anything is read. The
 * body is streamed: an error after the first bytes ends the connection early, so a client
 * knows an export is whole only when the response completes. I/O (HTTP, Kafka).
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { replyProblem } from '../platform/replyProblem.js';
import { contentTypeOf, encodeRows } from '../replay/encodeRows.js';
import type { ExportRow } from '../replay/exportRow.js';
import {
  describeWindowProblem,
  parameterOf,
  parseReplayWindow,
  type WindowProblem,
} from '../replay/parseReplayWindow.js';
import { type LogSource, planWindow, readWindow } from '../replay/readWindow.js';
import { replyBadRequest } from './problemDetails.js';

export const MAX_WINDOW_DAYS = 31;
const MAX_CONCURRENT_REPLAYS = 4;

const codeOf = {
  'missing-instant': 'CEL_ERR_BAD_INSTANT',
  'bad-instant': 'CEL_ERR_BAD_INSTANT',
  'instant-before-log': 'CEL_ERR_BAD_INSTANT',
  'empty-window': 'CEL_ERR_BAD_WINDOW',
  'window-too-long': 'CEL_ERR_WINDOW_TOO_LONG',
  'unknown-kind': 'CEL_ERR_UNKNOWN_KIND',
  'no-kinds': 'CEL_ERR_UNKNOWN_KIND',
  'bad-time-basis': 'CEL_ERR_BAD_TIME_BASIS',
} as const satisfies Record<WindowProblem['kind'], string>;

const instant = { type: 'string', format: 'date-time' } as const;

/** One NDJSON line, for the OpenAPI document; the lines are written by replay/exportRow.ts. */
const exportLine = {
  type: 'object',
  description: 'One event with its place on the log; lines in (partition, offset) order',
  properties: {
    partition: { type: 'integer' },
    offset: { type: 'string', description: 'decimal, 64-bit' },
    recordTime: { ...instant, description: 'Kafka record timestamp (CreateTime)' },
    event: { type: 'object', description: 'the canonical event, fields in Avro schema order' },
  },
} as const;

/** The rows as they are, each row's patient noted as it passes (for the access record). */
async function* noting(rows: AsyncIterable<ExportRow>, patients: Set<string>): AsyncGenerator<ExportRow> {
  for await (const row of rows) {
    patients.add(row.event.patient.nhsNumber);
    yield row;
  }
}

export const replayRoutes: FastifyPluginAsync<{ readonly source: LogSource }> = async (app, { source }) => {
  let running = 0;

  app.get<{ Querystring: { from: string; to: string; kinds?: string; time?: string } }>(
    '/replay/events',
    {
      schema: {
        description: `A window of the canonical log, at most ${MAX_WINDOW_DAYS} days, as NDJSON.`,
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          properties: {
            from: { type: 'string', maxLength: 40, description: 'inclusive ISO 8601 instant with its zone, or a date' },
            to: { type: 'string', maxLength: 40, description: 'exclusive' },
            kinds: { type: 'string', maxLength: 1000, description: 'comma-separated event types; all when absent' },
            time: {
              type: 'string',
              maxLength: 20,
              description: 'record (default): the Kafka record timestamp; clinical: occurredAt',
            },
          },
        },
        response: { 200: { content: { [contentTypeOf.jsonl]: { schema: exportLine } } } },
      },
    },
    async (request, reply) => {
      const correlationId = String(request.id);
      const window = parseReplayWindow(request.query, { maxDays: MAX_WINDOW_DAYS });
      if (!window.ok) {
        const [first] = window.error;
        return replyBadRequest(reply, correlationId, {
          code: first === undefined ? 'CEL_ERR_BAD_REQUEST' : codeOf[first.kind],
          detail: window.error.map(describeWindowProblem).join('; '),
          location: first === undefined ? undefined : `/${parameterOf(first)}`,
        });
      }
      if (running >= MAX_CONCURRENT_REPLAYS) {
        return replyProblem(reply, {
          status: 503,
          code: 'CEL_ERR_REPLAY_BUSY',
          title: 'Busy',
          detail: `${MAX_CONCURRENT_REPLAYS} replays are already running; retry shortly`,
          correlationId,
          retryAfterSeconds: 5,
        });
      }
      running += 1;
      const streamed = new Set<string>();
      let body: Readable;
      try {
        const plan = await planWindow(source, window.value);
        request.log.info(
          { time: window.value.time, offsets: String(plan.offsets), kinds: window.value.kinds?.size ?? 'all' },
          'replay window planned',
        );
        body = Readable.from(encodeRows('jsonl', noting(readWindow(source, window.value, plan), streamed)));
      } catch (error) {
        running -= 1;
        throw error;
      }
      let ended = false;
      body.once('end', () => {
        ended = true;
      });
      body.once('close', () => {
        running -= 1;
        void app.accessLog.streamEnded(request, [...streamed], ended ? 'completed' : 'interrupted');
      });
      return reply.type(contentTypeOf.jsonl).send(body);
    },
  );
};
