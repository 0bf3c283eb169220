/**
 * Member restarts: kafkajs restarts itself after most errors, but after one it does not retry
 * (an unexpected exception, an authorisation failure) it stops for good, and the view would
 * fall silently behind; a member that stays connected but stops fetching is no better. Such a
 * member is replaced by a new one after 1 s, doubling up to a minute while members keep
 * failing with no batch applied in between. `restartDelayMs` is the pure schedule.
 */
import type { Logger } from '../platform/logger.js';
import { type Backoff, retryDelayMs } from '../platform/retry.js';
import { ConsumerStalledError } from './consumerErrors.js';

export const restartBackoff = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  growth: 'exponential',
  factor: 2,
  jitter: 0,
} as const satisfies Backoff;

/** The wait before the replacement, after `failures` members replaced in a row (from 1). Pure. */
export const restartDelayMs = (failures: number): number => retryDelayMs(restartBackoff, failures);

export type MemberRestarts<Member> = {
  /** Replaces `failed` after the current wait; `error` says why. */
  replace(failed: Member, error: unknown): void;
  /** A batch was applied: the next failure waits the shortest time again. */
  batchApplied(): void;
  /** Cancels a pending replacement. */
  stop(): void;
};

export function createMemberRestarts<Member extends { disconnect(): Promise<void> }>(deps: {
  readonly logger: Logger;
  readonly isStopping: () => boolean;
  readonly currentMember: () => Member | undefined;
  /** Joins the group with a new member (it becomes the current one). */
  readonly startMember: () => Promise<void>;
  /** Called as soon as a member is given up on (before the wait). */
  readonly memberReplaced: () => void;
  /** Receives `consumer.restarting`. */
  readonly emit: (event: 'consumer.restarting', payload: { readonly error: unknown; readonly inMs: number }) => void;
}): MemberRestarts<Member> {
  const { logger: log } = deps;
  /** Members replaced in a row without a batch applied in between. */
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  function replace(failed: Member, error: unknown): void {
    failures += 1;
    deps.memberReplaced();
    const inMs = restartDelayMs(failures);
    log.error(
      { err: error, failures, restartInMs: inMs },
      error instanceof ConsumerStalledError
        ? 'view consumer connected but not fetching; a new one starts'
        : 'view consumer stopped on an error the Kafka client does not retry; a new one starts',
    );
    deps.emit('consumer.restarting', { error, inMs });
    timer = setTimeout(async () => {
      if (deps.isStopping()) return;
      await failed.disconnect().catch(() => undefined);
      try {
        await deps.startMember();
      } catch (startError) {
        const current = deps.currentMember();
        if (current !== undefined && !deps.isStopping()) replace(current, startError);
      }
    }, inMs);
  }

  return {
    replace,
    batchApplied() {
      failures = 0;
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
