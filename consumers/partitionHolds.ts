/**
 * Holds, as the consumer sees them: a held partition (a rebuild aligning with this view)
 * applies nothing at or after the held offset, so the member waits a moment and fetches from
 * there again, until the hold is lifted or expires. The start and the end of each hold are
 * logged once. Waits, and moves the fetch position through the `seekTo` it is given.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/logger.js';

/** How often a held partition looks again whether its hold is lifted. */
export const HOLD_POLL_MS = 200;

export type PartitionHolds = {
  /** The batch stopped at `heldAt`: wait a moment (not when stopping), then fetch from there again. */
  waitOut(partition: number, heldAt: bigint): Promise<void>;
  /** A batch applied without a hold: the partition's hold, if it had one, is over. */
  applied(partition: number): void;
};

export function createPartitionHolds(deps: {
  readonly logger: Logger;
  readonly seekTo: (partition: number, offset: bigint) => void;
  readonly isStopping: () => boolean;
  /** The wait between looks (tests pass one that takes no time). */
  readonly delay?: (ms: number) => Promise<void>;
}): PartitionHolds {
  const { logger: log, delay = (ms: number) => sleep(ms) } = deps;
  /** Partitions stopped by a hold, to log its start and end once. */
  const held = new Set<number>();
  return {
    async waitOut(partition, heldAt) {
      if (!held.has(partition)) {
        held.add(partition);
        log.info({ partition, heldAt: String(heldAt) }, 'partition held (a rebuild is aligning with this view)');
      }
      if (!deps.isStopping()) await delay(HOLD_POLL_MS);
      deps.seekTo(partition, heldAt);
    },
    applied(partition) {
      if (held.delete(partition)) log.info({ partition }, 'hold lifted; applying again');
    },
  };
}
