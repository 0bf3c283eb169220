/**
 * Calls to the service's API with the signed-in token: a problem answer becomes an error
 * naming its detail. I/O (fetch).
 */
import type { Session } from './signIn.js';

export async function apiGet<T>(session: Session, path: string): Promise<T> {
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' },
  });
  const body = (await response.json().catch(() => ({}))) as { detail?: string };
  if (!response.ok) throw new Error(body.detail ?? `${path} answered ${response.status}`);
  return body as T;
}
