/**
 * The end-to-end invariant over one delivered input, against the real stack: answered AA/2xx
 * ⇒ its events are on the canonical log with the values sent, in each view that should show
 * them and in the audit index, and the patient's audit chain verifies; answered AE/AR/4xx ⇒
 * nothing carrying its marker on the log, in a view or in the audit index; never a 5xx or a
 * hang. A tail of the canonical topic is the reference; `awaitCatchUp` waits until that tail
 * and every view have reached the log's end (no sleeps). Test support; I/O.
 */
import type { Consumer } from 'kafkajs';
import { createEventCodec } from '../../platform/eventCodec.js';
import { createKafkaClient, fetchPartitionOffsets } from '../../platform/kafka.js';
import { projectSchemaRegistrations, registerSchemas } from '../../platform/registerSchemas.js';
import { createRegistry } from '../../platform/schemaRegistry.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { topicNames } from '../../schemas/topics.js';
import type { ApiClient, ApiResponse } from './apiClient.js';
import type { Delivery, Expectation, ViewPlacement } from './hostileInputs.js';
import { msaOf } from './mllpClient.js';
import type { ServiceUnderTest } from './serviceUnderTest.js';
import { kafkaConnectionFor } from './testKafka.js';
import { uniqueName } from './uniqueName.js';

/** How long one request or one ACK may take before it counts as a hang. */
export const ANSWER_TIMEOUT_MS = 20_000;

export type Answer =
  | { readonly kind: 'accepted'; readonly detail: string }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'violation'; readonly detail: string };

/** One broken promise: `kind` names its class (the same class for the same failure on any input). */
export type Violation = { readonly kind: string; readonly label: string; readonly detail: string };

export type CanonicalTail = {
  /** Events of a patient read so far, in log order per partition. */
  readonly eventsOf: (nhsNumber: string) => readonly ClinicalEvent[];
  /** Resolves once the tail has read every partition up to the log's end offsets as they are now. */
  readonly catchUp: (timeoutMs: number) => Promise<void>;
  readonly close: () => Promise<void>;
};

/** Reads the service's canonical topic from offset 0 and keeps reading, decoded, by patient. */
export async function tailCanonicalLog(service: ServiceUnderTest): Promise<CanonicalTail> {
  const topic = topicNames(service.namespace).canonical;
  const registry = createRegistry(new URL(service.registryUrl));
  const { byEventType } = await registerSchemas(registry, projectSchemaRegistrations(topicNames(service.namespace)));
  const codec = createEventCodec(registry, byEventType);
  const kafka = createKafkaClient({ ...(await kafkaConnectionFor(service.brokers)).connection, clientId: 'fuzz-tail' });
  const byPatient = new Map<string, ClinicalEvent[]>();
  const next = new Map<number, bigint>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('fuzz-tail'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.value !== null) {
        const event = await codec.decode(message.value);
        const list = byPatient.get(event.patient.nhsNumber) ?? [];
        list.push(event);
        byPatient.set(event.patient.nhsNumber, list);
      }
      next.set(partition, BigInt(message.offset) + 1n);
    },
  });
  return {
    eventsOf: (nhs) => byPatient.get(nhs) ?? [],
    async catchUp(timeoutMs) {
      const ends = await fetchPartitionOffsets(kafka, topic);
      await waitFor(
        async () => ends.every((p) => BigInt(p.high) === 0n || (next.get(p.partition) ?? 0n) >= BigInt(p.high)),
        timeoutMs,
        'the canonical tail to reach the end offsets',
      );
    },
    close: () => consumer.disconnect(),
  };
}

/** Polls `condition` until true; throws naming what was awaited when `timeoutMs` passes. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the canonical tail and every view and audit index have applied the log as it
 * stands (each view's lag on `/health` is 0 and none is held by a rebuild).
 */
export async function awaitCatchUp(tail: CanonicalTail, api: ApiClient, timeoutMs = 30_000): Promise<void> {
  await tail.catchUp(timeoutMs);
  await waitFor(
    async () => {
      const health = await timedGet(api, '/health');
      const body = health.body as { viewLag?: Record<string, number>; viewsHeld?: Record<string, string> } | undefined;
      const lags = Object.values(body?.viewLag ?? {});
      return lags.length > 0 && lags.every((lag) => lag === 0) && Object.keys(body?.viewsHeld ?? {}).length === 0;
    },
    timeoutMs,
    'every view to reach the end of the log (/health viewLag 0)',
  );
}

/** A promise that rejects after the answer timeout, so no send or request can hang the suite. */
export function withinAnswerTime<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${what}`)), ANSWER_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A read of the API that cannot hang the suite either. */
const timedGet = (api: ApiClient, path: string) => withinAnswerTime(api.get(path), `GET ${path.split('?')[0]}`);

/** An HL7 ACK read as the invariant needs it. */
export function answerOfAck(ack: string): Answer {
  const { code } = msaOf(ack);
  const segments = ack.split('\r');
  const msa3 = segments.find((s) => s.startsWith('MSA'))?.split('|')[3] ?? '';
  const err = segments.find((s) => s.startsWith('ERR')) ?? '';
  const detail = `MSA-1 ${code} ${msa3.slice(0, 120)} ${err.slice(0, 160)}`;
  if (code === 'AA' || code === 'CA') return { kind: 'accepted', detail };
  if (code === 'AE' || code === 'AR' || code === 'CE' || code === 'CR') return { kind: 'refused', detail };
  return { kind: 'violation', detail: `not an ACK: ${ack.slice(0, 160)}` };
}

/** An HTTP answer read as the invariant needs it; 202 (parked) never happens to an input with an NHS number. */
export function answerOfResponse(response: ApiResponse): Answer {
  const detail = `HTTP ${response.status}: ${response.text.slice(0, 200)}`;
  if (response.status === 200 || response.status === 201) return { kind: 'accepted', detail };
  if (response.status >= 400 && response.status < 500) return { kind: 'refused', detail };
  return { kind: 'violation', detail };
}

const markerOf = (event: ClinicalEvent): string | undefined =>
  'orderId' in event
    ? event.orderId
    : 'visitId' in event
      ? event.visitId
      : 'diagnosisId' in event
        ? event.diagnosisId
        : undefined;

const displayOf = (event: ClinicalEvent): string | null | undefined =>
  'medication' in event ? event.medication?.display : 'display' in event ? event.display : undefined;

type Row = { readonly [field: string]: unknown };

/** The rows of each view that carry markers, for one patient: fetched once per patient and check. */
async function viewRows(api: ApiClient, nhs: string): Promise<Readonly<Record<ViewPlacement, readonly Row[]>>> {
  const [gp, meds, plan] = await Promise.all([
    timedGet(api, `/patients/${nhs}/gp-summary`),
    timedGet(api, `/patients/${nhs}/medications`),
    timedGet(api, `/patients/${nhs}/care-plan`),
  ]);
  for (const r of [gp, meds, plan]) {
    if (r.status !== 200 && r.status !== 404)
      throw new Error(`view read for a patient answered ${r.status}: ${r.text.slice(0, 200)}`);
  }
  const list = (response: ApiResponse, field: string): readonly Row[] =>
    response.status === 200 ? (((response.body as Row)[field] as readonly Row[] | undefined) ?? []) : [];
  const tasks = list(plan, 'tasks');
  return {
    'gp-medication': list(gp, 'currentMedications').map((r) => ({ ...r, marker: r.orderId })),
    'pharmacy-order': list(meds, 'orders').map((r) => ({ ...r, marker: r.orderId })),
    'gp-discharge': list(gp, 'discharges').map((r) => ({ ...r, marker: r.visitId })),
    'gp-problem': list(gp, 'activeProblems').map((r) => ({ ...r, marker: r.diagnosisId })),
    'care-plan-discharge': tasks
      .filter((t) => String(t.taskId).startsWith('gp-review-after-discharge:'))
      .map((t) => ({ ...t, marker: String(t.taskId).slice('gp-review-after-discharge:'.length) })),
    'care-plan-ltc': tasks
      .filter((t) => String(t.taskId).startsWith('long-term-condition-review:'))
      .map((t) => ({ ...t, marker: String(t.taskId).slice('long-term-condition-review:'.length) })),
  };
}

type AuditRow = { readonly eventId: string; readonly payload?: Row };

async function auditRowsOf(api: ApiClient, nhs: string): Promise<readonly AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await timedGet(
      api,
      `/audit/events?patient=${nhs}&limit=1000${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    );
    if (page.status !== 200) throw new Error(`audit events answered ${page.status}: ${page.text.slice(0, 200)}`);
    const body = page.body as { events: AuditRow[]; cursor: string | null };
    rows.push(...body.events);
    if (body.events.length < 1000 || body.cursor === null) return rows;
    cursor = body.cursor;
  }
}

const startsWith = (value: unknown, prefix: string) => typeof value === 'string' && value.startsWith(prefix);

/**
 * Checks one delivery after the stack caught up. The marker prefix is unique per delivery, so
 * "its events" are the patient's events whose order, visit or diagnosis id starts with it.
 */
export async function checkDelivery(
  delivery: Delivery,
  answer: Answer,
  tail: CanonicalTail,
  api: ApiClient,
): Promise<readonly Violation[]> {
  const label = delivery.label;
  const violations: Violation[] = [];
  const violation = (kind: string, detail: string) =>
    violations.push({ kind, label, detail: `${detail}; answer ${answer.detail}` });
  if (answer.kind === 'violation') {
    violation(
      answer.detail.startsWith('HTTP 5')
        ? 'answered-5xx'
        : answer.detail.startsWith('no answer')
          ? 'hang'
          : 'unexpected-answer',
      answer.detail,
    );
    return violations;
  }
  const e: Expectation = delivery.expect;
  const logged = tail.eventsOf(e.nhsNumber).filter((event) => startsWith(markerOf(event), e.markerPrefix));
  const views = await viewRows(api, e.nhsNumber);
  const audit = await auditRowsOf(api, e.nhsNumber);
  const inViews = e.views.filter((v) => views[v].some((row) => startsWith(row.marker, e.markerPrefix)));
  const inAudit = audit.filter((row) => {
    const p = row.payload ?? {};
    return [p.orderId, p.visitId, p.diagnosisId].some((m) => startsWith(m, e.markerPrefix));
  });

  if (answer.kind === 'refused') {
    if (logged.length > 0)
      violation('refused-but-on-log', `${logged.length} ${logged[0]?.type} event(s) on the canonical log`);
    if (inViews.length > 0) violation('refused-but-in-view', `shown in ${inViews.join(', ')}`);
    if (inAudit.length > 0) violation('refused-but-in-audit-index', `${inAudit.length} audit entries`);
    return violations;
  }

  // Accepted. Unrepresentable input accepted means a value was changed on the way in.
  if (e.marker === undefined)
    violation(
      'accepted-unrepresentable-id',
      'its id had no faithful text (invalid bytes or escape) yet it was accepted',
    );
  if ('display' in e && e.display === undefined)
    violation(
      'accepted-unrepresentable-text',
      'its text had no faithful form (invalid bytes, lone surrogate or bad escape) yet it was accepted',
    );
  if ('occurredAt' in e && e.occurredAt === undefined)
    violation('accepted-impossible-instant', `its time ${e.instantSent ?? ''} names no instant yet it was accepted`);

  const ofType = logged.filter((event) => event.type === e.eventType);
  if (ofType.length === 0) {
    const others = tail
      .eventsOf(e.nhsNumber)
      .map((event) => `${event.type}:${JSON.stringify(markerOf(event)?.slice(0, 40))}`);
    violation(
      'accepted-not-on-log',
      `no ${e.eventType} with marker ${e.markerPrefix}… on the canonical log (the patient's events there: ${others.join(', ') || 'none'})`,
    );
    return violations;
  }
  for (const event of ofType) {
    if (e.marker !== undefined && markerOf(event) !== e.marker)
      violation(
        'accepted-id-changed',
        `id stored as ${JSON.stringify(markerOf(event)?.slice(0, 80))}, sent ${JSON.stringify(e.marker.slice(0, 80))}`,
      );
    if (e.display !== undefined && displayOf(event) !== e.display)
      violation(
        'accepted-text-changed',
        `text stored as ${JSON.stringify(displayOf(event)?.slice(0, 80))}, sent ${JSON.stringify(e.display.slice(0, 80))}`,
      );
    if (e.occurredAt !== undefined && event.occurredAt.getTime() !== e.occurredAt.getTime())
      violation(
        'accepted-instant-changed',
        `occurredAt stored as ${event.occurredAt.toISOString()}, sent ${e.occurredAt.toISOString()}`,
      );
  }
  for (const view of e.views) {
    const rows = views[view].filter((row) => startsWith(row.marker, e.markerPrefix));
    if (rows.length === 0) {
      violation(`accepted-missing-from-${view}`, `${e.eventType} on the log, absent from ${view}`);
      continue;
    }
    if (
      e.display !== undefined &&
      (view === 'gp-medication' || view === 'pharmacy-order' || view === 'gp-problem') &&
      rows.every((row) => row.display !== e.display)
    ) {
      violation('view-text-changed', `${view} shows ${JSON.stringify(String(rows[0]?.display).slice(0, 80))}`);
    }
  }
  const audited = new Set(audit.map((row) => row.eventId));
  const missing = ofType.filter((event) => !audited.has(event.eventId));
  if (missing.length > 0)
    violation(
      'accepted-missing-from-audit-index',
      `${missing.length} of ${ofType.length} events not in the audit index`,
    );
  const verify = await timedGet(api, `/audit/patients/${e.nhsNumber}/verify`);
  const verdict = verify.body as { ok?: boolean; entries?: number } | undefined;
  const onLog = tail.eventsOf(e.nhsNumber).length;
  if (verify.status !== 200 || verdict?.ok !== true)
    violation('audit-verify-not-ok', `verify answered ${verify.status} ${verify.text.slice(0, 160)}`);
  else if (verdict.entries !== undefined && verdict.entries < onLog)
    violation(
      'audit-verify-ok-with-missing-entries',
      `verify ok with ${verdict.entries} entries, the log holds ${onLog}`,
    );
  return violations;
}
