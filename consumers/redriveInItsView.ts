/**
 * Re-drives one dead letter into the live view that dead-lettered it (the CLI's and the API's
 * one path). The audit indexes' dead letters are not re-driven one by one: a patient's hash
 * chain follows log order, so an entry appended after later ones would break it. I/O.
 */
import type { EventCodec } from '../platform/eventCodec.js';
import { isPgError, isTransientPgError, type Pool } from '../platform/postgres.js';
import { readDeadLetter } from './deadLetters.js';
import { type RedriveOutcome, redriveDeadLetter } from './redriveDeadLetter.js';
import { liveViews, type ViewName } from './views.js';

export type RedriveInViewOutcome = RedriveOutcome | { readonly kind: 'not-redrivable'; readonly view: string };

const isLiveView = (name: string): name is ViewName => Object.hasOwn(liveViews, name);

/**
 * A record that decodes but still fails to apply (the cause is not fixed yet) is still failing,
 * as one that does not decode is; a database that is away is an error for the caller to retry.
 */
export async function redriveInItsView(pool: Pool, codec: EventCodec, id: number): Promise<RedriveInViewOutcome> {
  const dead = await readDeadLetter(pool, id);
  if (dead === undefined) return { kind: 'not-found' };
  if (!isLiveView(dead.view)) return { kind: 'not-redrivable', view: dead.view };
  try {
    return await redriveInto(pool, codec, id, dead.view);
  } catch (error) {
    if (isTransientPgError(error) || !(error instanceof Error)) throw error;
    return { kind: 'still-failing', error: isPgError(error) ? `${error.code}: ${error.message}` : error.message };
  }
}

function redriveInto(pool: Pool, codec: EventCodec, id: number, view: ViewName): Promise<RedriveOutcome> {
  switch (view) {
    case 'gp-view':
      return redriveDeadLetter(pool, liveViews['gp-view'], codec, id);
    case 'pharmacy-view':
      return redriveDeadLetter(pool, liveViews['pharmacy-view'], codec, id);
    case 'care-plan-view':
      return redriveDeadLetter(pool, liveViews['care-plan-view'], codec, id);
  }
}
