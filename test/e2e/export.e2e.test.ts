/**
 * Window replay for analysts, end to end: the sample timeline is delivered in two halves with
 * an instant between them; `npm run replay -- export` (a child process, as an analyst runs it)
 * and `GET /replay/events` then read windows of the log. The same window gives the same bytes,
 * every time and by both routes; a window on record time holds exactly the events written in
 * it, kinds and clinical time select the right events, and bad parameters say why.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect } from 'vitest';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { parseCsv } from '../support/parseCsv.js';
import { SAMPLES_DIR } from '../support/samples.js';
import {
  deliverSample,
  readCanonicalEvents,
  type ServiceUnderTest,
  serviceTest as test,
} from '../support/serviceUnderTest.js';
import { fetchWithRole } from '../support/tokens.js';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;

type CliResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** `npm run replay -- <args>` against the service's broker, registry and topic namespace. */
async function replayCli(service: ServiceUnderTest | undefined, args: readonly string[]): Promise<CliResult> {
  const stack =
    service === undefined
      ? {}
      : {
          ...service.kafkaEnv,
          SCHEMA_REGISTRY_URL: service.registryUrl,
          TOPIC_NAMESPACE: service.namespace,
        };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'tools/replay.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning', ...stack },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const timeline = readFileSync(join(SAMPLES_DIR, 'timeline', 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { file: string });

type Line = { partition: number; offset: string; recordTime: string; event: { type: string; eventId: string } };
const linesOf = (jsonl: string | Buffer): Line[] =>
  jsonl
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
const idsOf = (events: readonly { eventId: string }[]) => events.map((e) => e.eventId).sort();

/**
 * Every event on the log, read by the test support's own reader (the oracle). A topic created
 * seconds ago can answer NOT_LEADER for a moment; such an answer is retriable and read again.
 */
async function eventsOnTheLog(service: ServiceUnderTest): Promise<readonly ClinicalEvent[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readCanonicalEvents(service);
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || attempt >= 3) throw error;
    }
  }
}

/** A later instant than every record written so far: waits for the clock to pass it. */
async function markAfterNow(): Promise<Date> {
  const mark = new Date(Date.now() + 1);
  await expect.poll(() => Date.now(), { interval: 1 }).toBeGreaterThan(mark.getTime());
  return mark;
}

describe('replay a window', () => {
  test('the timeline: same bytes every time and by CLI and API; windows, kinds, clinical time, CSV, Parquet', async ({
    service,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'cel-export-'));
    try {
      const start = await markAfterNow();
      const half = Math.floor(timeline.length / 2);
      for (const line of timeline.slice(0, half)) await deliverSample(service, line.file);
      await service.ingest.idle();
      const firstHalf = await eventsOnTheLog(service);
      const middle = await markAfterNow();
      for (const line of timeline.slice(half)) await deliverSample(service, line.file);
      await service.ingest.idle();
      const end = await markAfterNow();
      const all = await eventsOnTheLog(service);
      expect(all).toHaveLength(31);
      expect(firstHalf.length).toBeGreaterThan(0);
      expect(firstHalf.length).toBeLessThan(31);

      const window = (from: Date, to: Date) => ['--from', from.toISOString(), '--to', to.toISOString()];
      const out = (name: string) => join(dir, name);
      const kinds = 'PatientDischarged,DiagnosisRecorded';
      const occurred = [...new Set(all.map((e) => e.occurredAt.getTime()))].sort((a, b) => a - b);
      const clinicalFrom = new Date(occurred[Math.floor(occurred.length / 3)] as number);
      const clinicalTo = new Date(occurred[Math.floor((2 * occurred.length) / 3)] as number);
      const runs = await Promise.all([
        replayCli(service, ['export', ...window(start, end), '--out', out('a.jsonl')]),
        replayCli(service, ['export', ...window(start, end), '--out', out('b.jsonl')]),
        replayCli(service, ['export', ...window(start, middle), '--out', out('first.jsonl')]),
        replayCli(service, ['export', ...window(middle, end), '--out', out('second.jsonl')]),
        replayCli(service, ['export', ...window(start, end), '--kinds', kinds, '--out', out('kinds.jsonl')]),
        replayCli(service, [
          'export',
          '--time',
          'clinical',
          ...window(clinicalFrom, clinicalTo),
          '--out',
          out('c.jsonl'),
        ]),
        replayCli(service, ['export', ...window(start, end), '--format', 'csv', '--out', out('all.csv')]),
        replayCli(service, ['export', ...window(start, end), '--format', 'parquet', '--out', out('a.parquet')]),
        replayCli(service, ['export', ...window(start, end), '--format', 'parquet', '--out', out('b.parquet')]),
      ]);
      for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0, stdout: '' });
      expect(runs[0]?.stderr).toMatch(/done: 31 events from 31 offsets \(100 % of the window's\)/);

      // The whole window twice: the same bytes, exactly the 31 events, in (partition, offset) order.
      const whole = await readFile(out('a.jsonl'));
      expect(whole.equals(await readFile(out('b.jsonl')))).toBe(true);
      const lines = linesOf(whole);
      expect(idsOf(lines.map((l) => l.event))).toEqual(idsOf(all));
      const coordinates = lines.map((l) => [l.partition, BigInt(l.offset)] as const);
      const sorted = [...coordinates].sort(([p, o], [q, r]) => p - q || (o < r ? -1 : o > r ? 1 : 0));
      expect(coordinates).toEqual(sorted);
      for (const l of lines) expect(new Date(l.recordTime).getTime()).toBeGreaterThanOrEqual(start.getTime());

      // Record time: the halves hold exactly what was written before and after the middle instant.
      const first = linesOf(await readFile(out('first.jsonl')));
      const second = linesOf(await readFile(out('second.jsonl')));
      expect(idsOf(first.map((l) => l.event))).toEqual(idsOf(firstHalf));
      expect(idsOf(second.map((l) => l.event))).toEqual(
        idsOf(all.filter((e) => !firstHalf.some((f) => f.eventId === e.eventId))),
      );

      // Kinds, filtered on the header.
      const wanted = (e: ClinicalEvent) => e.type === 'PatientDischarged' || e.type === 'DiagnosisRecorded';
      const byKind = linesOf(await readFile(out('kinds.jsonl')));
      expect(idsOf(byKind.map((l) => l.event))).toEqual(idsOf(all.filter(wanted)));
      expect(byKind.length).toBeLessThan(31);

      // Clinical time: occurredAt in [from, to), whenever it was written.
      const clinical = linesOf(await readFile(out('c.jsonl')));
      const inClinical = all.filter(
        (e) => e.occurredAt.getTime() >= clinicalFrom.getTime() && e.occurredAt.getTime() < clinicalTo.getTime(),
      );
      expect(inClinical.length).toBeGreaterThan(0);
      expect(idsOf(clinical.map((l) => l.event))).toEqual(idsOf(inClinical));

      // The API streams the same bytes as the CLI's JSON lines.
      const query = (from: Date, to: Date, extra = '') =>
        `${service.httpUrl}/replay/events?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}${extra}`;
      const response = await fetchWithRole(query(start, end));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(Buffer.from(await response.arrayBuffer()).equals(whole)).toBe(true);
      const kindsResponse = await fetchWithRole(query(start, end, `&kinds=${kinds}`));
      expect(Buffer.from(await kindsResponse.arrayBuffer()).equals(await readFile(out('kinds.jsonl')))).toBe(true);

      // CSV: a header and one record per event, each with the fixed columns and the event as JSON.
      const records = parseCsv(await readFile(out('all.csv'), 'utf8'));
      const [header, ...rows] = records;
      expect(rows).toHaveLength(31);
      const column = (name: string) => header?.indexOf(name) ?? -1;
      for (const row of rows) {
        expect(row).toHaveLength(header?.length ?? 0);
        const data = JSON.parse(row[column('data')] ?? '') as { eventId: string; type: string };
        expect([data.eventId, data.type]).toEqual([row[column('eventId')], row[column('eventType')]]);
      }
      expect(rows.map((r) => r[column('eventId')])).toEqual(lines.map((l) => l.event.eventId));

      // Parquet: the same bytes twice, and a reader gets the events back in the same order.
      const parquet = await readFile(out('a.parquet'));
      expect(parquet.equals(await readFile(out('b.parquet')))).toBe(true);
      const read = await parquetReadObjects({
        file: parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.length) as ArrayBuffer,
      });
      expect(read.map((r) => r.eventId)).toEqual(lines.map((l) => l.event.eventId));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('bad parameters: exit 2 and a 400, each with its reason', async ({ service }) => {
    const [badInstant, backwards, unknownKind, badFormat, unknownOption, noSubcommand] = await Promise.all([
      replayCli(undefined, ['export', '--from', 'yesterday', '--to', '2026-03-02']),
      replayCli(undefined, ['export', '--from', '2026-03-02', '--to', '2026-03-01']),
      replayCli(undefined, ['export', '--from', '2026-03-01', '--to', '2026-03-02', '--kinds', 'Discharge']),
      replayCli(undefined, ['export', '--from', '2026-03-01', '--to', '2026-03-02', '--format', 'xml']),
      replayCli(undefined, ['export', '--form', '2026-03-01']),
      replayCli(undefined, []),
    ]);
    expect(badInstant).toMatchObject({ code: 2, stdout: '' });
    expect(badInstant.stderr).toContain('from "yesterday": expected an ISO 8601 instant');
    expect(backwards).toMatchObject({ code: 2 });
    expect(backwards.stderr).toContain('from must be before to');
    expect(unknownKind).toMatchObject({ code: 2 });
    expect(unknownKind.stderr).toContain('"Discharge" is not an event type');
    expect(badFormat).toMatchObject({ code: 2 });
    expect(badFormat.stderr).toContain('format "xml": expected jsonl, csv, parquet');
    expect(unknownOption).toMatchObject({ code: 2 });
    expect(unknownOption.stderr).toContain("Unknown option '--form'");
    expect(noSubcommand).toMatchObject({ code: 2 });
    expect(noSubcommand.stderr).toContain('usage: npm run replay -- <subcommand>');

    const problemOf = async (query: string) => {
      const response = await fetchWithRole(`${service.httpUrl}/replay/events?${query}`);
      return {
        status: response.status,
        body: (await response.json()) as { code: string; location?: string; detail: string },
      };
    };
    expect(await problemOf('from=2026-03-02&to=2026-03-01')).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_WINDOW', location: '/to' },
    });
    expect(await problemOf('from=2026-01-01&to=2026-02-02')).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_WINDOW_TOO_LONG', detail: expect.stringContaining('longer than 31 days') },
    });
    expect(await problemOf('from=2026-03-01&to=2026-03-02&kinds=Discharge')).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_UNKNOWN_KIND', location: '/kinds' },
    });
    expect(await problemOf('from=yesterday&to=2026-03-02')).toMatchObject({
      status: 400,
      body: { code: 'CEL_ERR_BAD_INSTANT', location: '/from' },
    });
    expect(await problemOf('to=2026-03-02')).toMatchObject({ status: 400, body: { code: 'CEL_ERR_BAD_REQUEST' } });
    const openapi = (await (await fetchWithRole(`${service.httpUrl}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(openapi.paths)).toContain('/replay/events');
  });
});
