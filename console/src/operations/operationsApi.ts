/**
 * The operations page's calls: the held inputs and dead letters (metadata only, never a
 * payload), their re-drives, /health's detail and the metrics text. A problem answer becomes
 * an error naming its detail. I/O (fetch).
 */
import { apiGet } from '../api.js';
import type { Session } from '../signIn.js';

export type HeldInput = {
  readonly id: number;
  readonly channel: string;
  readonly endpoint: string;
  readonly receivedAt: string;
  readonly reasonCode: string;
  readonly reason: string;
  readonly location: string | null;
  readonly status: string;
};

export type DeadLetter = {
  readonly id: number;
  readonly view: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly errorCode: string;
  readonly error: string;
  readonly attempts: number;
  readonly deadLetteredAt: string;
};

export type HealthDetail = {
  readonly status: string;
  readonly viewLag?: Readonly<Record<string, number>>;
  readonly viewsHeld?: Readonly<Record<string, string>>;
  readonly deadLetters?: Readonly<Record<string, number>>;
};

export const listParked = (session: Session) =>
  apiGet<{ parked: HeldInput[] }>(session, '/admin/parked').then((body) => body.parked);
export const listRejected = (session: Session) =>
  apiGet<{ rejected: HeldInput[] }>(session, '/admin/rejected').then((body) => body.rejected);
export const listDeadLetters = (session: Session) =>
  apiGet<{ deadLetters: DeadLetter[] }>(session, '/admin/dead-letters').then((body) => body.deadLetters);
export const readHealth = (session: Session) => apiGet<HealthDetail>(session, '/health');

/** POSTs a re-drive; the answer's outcome (e.g. `accepted`, `rejected`, `applied`). */
export async function redrive(session: Session, path: string): Promise<string> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' },
  });
  const body = (await response.json().catch(() => ({}))) as { detail?: string; outcome?: string };
  if (!response.ok) throw new Error(body.detail ?? `${path} answered ${response.status}`);
  return body.outcome ?? 'done';
}

export async function readMetricsText(session: Session): Promise<string> {
  const response = await fetch('/metrics', {
    headers: { authorization: `Bearer ${session.accessToken}`, accept: 'text/plain' },
  });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
