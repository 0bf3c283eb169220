/**
 * Holds two progress rows of a view — its live version and a rebuilt one — at the same
 * offsets: the log's end now, or further where either has already passed it, never past the
 * end. Both consumers apply up to there and wait, so the two versions can be compared, and
 * swapped, at exactly the same point of the log. The hold is renewed until released, and
 * lasts HOLD_MS past the last renewal, so a rebuild that dies holding stops the live view for
 * no longer. I/O.
 */
import {
  holdStoredOffsets,
  readStoredOffsets,
  releaseStoredOffsets,
  renewStoredOffsetHolds,
} from '../consumers/storedOffsets.js';
import type { Logger } from '../platform/logger.js';
import type { Pool } from '../platform/postgres.js';
import { type Offsets, sameOffsets } from './rebuildProgress.js';

const HOLD_MS = 15_000;
const HOLD_RENEW_MS = 5_000;

export type Hold = {
  /** Where both are held. */
  readonly at: Offsets;
  /** Lifts the hold; safe to call more than once. */
  readonly release: () => Promise<void>;
};

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export async function holdAtLogEnd(
  deps: { readonly pool: Pool; readonly topic: string; readonly logger: Logger },
  views: readonly [live: string, rebuilt: string],
  logEnds: () => Promise<Offsets>,
): Promise<Hold> {
  const { pool, topic } = deps;
  const ends = await logEnds();
  await holdStoredOffsets(pool, views, topic, ends, HOLD_MS);
  // A batch that committed before the hold may have passed the end read above; nothing
  // passes the hold from now on, so hold where the furthest of the two stands — never past
  // the log's end (a view ahead of its log waits for no record that does not exist).
  const [live, rebuilt] = await Promise.all(views.map((v) => readStoredOffsets(pool, v, topic)));
  const endsNow = await logEnds();
  const at: Offsets = new Map(
    [...ends].map(([p, end]) => {
      const furthest = [end, live?.get(p) ?? 0n, rebuilt?.get(p) ?? 0n].reduce(max);
      return [p, min(furthest, endsNow.get(p) ?? end)];
    }),
  );
  if (!sameOffsets(at, ends)) await holdStoredOffsets(pool, views, topic, at, HOLD_MS);
  let renewing = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = renewStoredOffsetHolds(pool, views, topic, HOLD_MS).catch((error: unknown) =>
      deps.logger.warn({ err: error, views }, 'hold not renewed'),
    );
  }, HOLD_RENEW_MS);
  return {
    at,
    release: async () => {
      clearInterval(renewal);
      await renewing;
      await releaseStoredOffsets(pool, views, topic);
    },
  };
}
