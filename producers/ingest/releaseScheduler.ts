/**
 * Releases parked inputs, one at a time in park order (one released may teach what unblocks
 * the next): those waiting on mappings just learned, a new park that looks once more for its
 * mapping, and sweeps of every parked input whose mapping is known by now — after a release
 * failed (retried 1 s doubling to a minute) and at start. I/O through the finders and `release`.
 */
import type { Logger } from '../../platform/logger.js';
import { retryDelayMs } from '../../platform/retry.js';
import type { HeldInput } from './heldInputs.js';
import type { LearnedMapping } from './ingestLedger.js';
import type { IngestOutcome } from './ingestService.js';

export type ParkedFinders = {
  /** Parked inputs waiting on any of these identifiers, oldest first. */
  readonly waitingOn: (learned: readonly LearnedMapping[]) => Promise<readonly HeldInput[]>;
  /** Parked inputs whose mapping is known now (all, or those waiting on one identifier), oldest first. */
  readonly nowResolvable: (waitingOn?: {
    readonly authority: string;
    readonly value: string;
  }) => Promise<readonly HeldInput[]>;
};

export type ReleaseSchedulerDeps = {
  readonly find: ParkedFinders;
  /** Runs one parked input through the pipeline again. */
  readonly release: (held: HeldInput) => Promise<IngestOutcome>;
  readonly logger: Logger;
  /** Schedules the sweep after a failure (default: a timer). */
  readonly setTimer?: (run: () => void, ms: number) => { cancel(): void };
};

export type ReleaseScheduler = {
  /** Mappings were learned: release what waited on them. */
  learned(learned: readonly LearnedMapping[]): void;
  /** An input was parked (and committed): look once more for its mapping. */
  parked(waitingOn: { readonly authority: string; readonly value: string } | undefined): void;
  /** Releases every parked input whose patient can be identified now; resolves when done. */
  sweep(): Promise<void>;
  /** Resolves once the releases scheduled so far have run. */
  idle(): Promise<void>;
  /** Stops retrying failed releases, and waits for the one in hand. */
  close(): Promise<void>;
};

/** After a failed release: 1 s, doubling, at most a minute, exact (no jitter). */
const sweepBackoff = { initialDelayMs: 1000, maxDelayMs: 60_000, growth: 'exponential', factor: 2, jitter: 0 } as const;

const timer = (run: () => void, ms: number) => {
  const handle = setTimeout(run, ms);
  return { cancel: () => clearTimeout(handle) };
};

export function createReleaseScheduler(deps: ReleaseSchedulerDeps): ReleaseScheduler {
  const log = deps.logger.child({ module: 'ingest-release' });
  const setTimer = deps.setTimer ?? timer;
  let releases: Promise<void> = Promise.resolve();
  /** Sweeps in a row that failed; the next waits longer. */
  let failedSweeps = 0;
  let pendingSweep: { cancel(): void } | undefined;
  let closed = false;

  const releaseAll = async (find: () => Promise<readonly HeldInput[]>): Promise<void> => {
    for (const held of await find()) {
      const outcome = await deps.release(held);
      log.info({ parkId: held.id, correlationId: held.correlationId, outcome: outcome.kind }, 'parked input released');
    }
  };

  const enqueue = (find: () => Promise<readonly HeldInput[]>) => {
    releases = releases
      .then(() => releaseAll(find))
      .then(() => {
        failedSweeps = 0;
      })
      .catch((error: unknown) => {
        // Still parked, never lost: look again for every parked input whose patient is known now.
        failedSweeps += 1;
        const inMs = retryDelayMs(sweepBackoff, failedSweeps);
        log.error(
          { err: error, retryInMs: inMs },
          'releasing parked inputs failed; they stay parked and are tried again',
        );
        pendingSweep?.cancel();
        if (!closed) pendingSweep = setTimer(sweep, inMs);
      });
  };

  const sweep = () => enqueue(() => deps.find.nowResolvable());

  return {
    learned(learned) {
      if (learned.length > 0) enqueue(() => deps.find.waitingOn(learned));
    },
    parked(waitingOn) {
      // A message that taught the mapping may have released what was waiting just before this
      // input was parked: either this look or that release runs after both commits.
      if (waitingOn !== undefined) enqueue(() => deps.find.nowResolvable(waitingOn));
    },
    sweep() {
      sweep();
      return releases;
    },
    idle: () => releases,
    async close() {
      closed = true;
      pendingSweep?.cancel();
      await releases;
    },
  };
}
