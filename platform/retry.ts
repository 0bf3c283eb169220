/**
 * The one retry policy of the code base (after kafkajs' retrier): how many attempts, how the
 * wait between them grows, which failures are worth another attempt, and a signal that ends
 * the waiting on shutdown. `retryDelayMs` is pure; `withRetry` awaits the work and the waits
 * (both the wait and the random source can be injected, so tests run without a clock).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Backoff = {
  /** The wait before the first retry, in ms. */
  readonly initialDelayMs: number;
  /** No wait is longer, jitter included. */
  readonly maxDelayMs: number;
  /**
   * How the wait grows with each retry n (1, 2, …): 'exponential' is initial × factor^(n−1),
   * 'linear' is initial × n, 'constant' is initial every time.
   */
  readonly growth: 'exponential' | 'linear' | 'constant';
  /** The multiplier of exponential growth. */
  readonly factor: number;
  /** Randomisation, 0–1: each wait is drawn from ± this fraction of itself (0: exact waits). */
  readonly jitter: number;
};

export type RetryPolicy = Backoff & {
  /** Attempts in all, the first one included; 'unlimited' goes on until success, a non-retriable error or the signal. */
  readonly attempts: number | 'unlimited';
};

/** The defaults (kafkajs' own: 5 attempts, 300 ms doubling up to 30 s, ±20 %); each call site names what it changes. */
export const retryDefaults: RetryPolicy = {
  attempts: 5,
  initialDelayMs: 300,
  maxDelayMs: 30_000,
  growth: 'exponential',
  factor: 2,
  jitter: 0.2,
};

export type RetryOptions = Partial<RetryPolicy> & {
  /**
   * Whether a failure is worth another attempt (default: every one). An error that says
   * `retriable: false` ends the retries at once whatever this answers.
   */
  readonly retriable?: (error: unknown) => boolean;
  /** Called before each wait: the failure, the attempt that failed (1, 2, …) and the wait. For logging. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting it ends the current wait (and any further attempt) with a RetryAbortedError. */
  readonly signal?: AbortSignal;
  /** Waits ms, or rejects when the signal aborts (default: a timer). */
  readonly delay?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the jitter (default: Math.random). */
  readonly random?: () => number;
};

/** The retries were stopped by their signal (shutdown); `cause` is the failure that was to be retried. */
export class RetryAbortedError extends Error {
  readonly code = 'CEL_ERR_RETRY_ABORTED';
  readonly retriable = false;
  constructor(
    readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(`stopped after ${attempts} attempt(s): shutting down while waiting to retry`, options);
    this.name = 'RetryAbortedError';
  }
}

/** The wait before retry n (n = the attempt that just failed, from 1). Pure given `random`. */
export function retryDelayMs(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const grown =
    backoff.growth === 'constant'
      ? backoff.initialDelayMs
      : backoff.growth === 'linear'
        ? backoff.initialDelayMs * retry
        : backoff.initialDelayMs * backoff.factor ** (retry - 1);
  const capped = Math.min(backoff.maxDelayMs, grown);
  if (backoff.jitter === 0) return capped;
  const spread = capped * backoff.jitter;
  return Math.max(0, Math.min(backoff.maxDelayMs, Math.round(capped - spread + 2 * spread * random())));
}

const markedNotRetriable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === false;

const sleepUnlessAborted = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(ms, undefined, signal === undefined ? {} : { signal });

/**
 * Runs `work` (given the attempt number, from 1) until it succeeds. A failure that is not
 * retriable, or the last allowed attempt's, is thrown as it is (callers act on their own error
 * types, so it is not wrapped); the signal ends the waiting with a RetryAbortedError.
 */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retriable, onRetry, signal, delay = sleepUnlessAborted, random = Math.random, ...given } = options;
  const policy: RetryPolicy = { ...retryDefaults, ...given };
  // A function, not a narrowed value: the signal can abort during any await below.
  const aborted = () => signal?.aborted === true;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (markedNotRetriable(error) || (retriable !== undefined && !retriable(error))) throw error;
      if (policy.attempts !== 'unlimited' && attempt >= policy.attempts) throw error;
      if (aborted()) throw new RetryAbortedError(attempt, { cause: error });
      const ms = retryDelayMs(policy, attempt, random);
      onRetry?.(error, attempt, ms);
      if (ms > 0) {
        try {
          await delay(ms, signal);
        } catch (waitError) {
          if (aborted()) throw new RetryAbortedError(attempt, { cause: error });
          throw waitError;
        }
      }
      if (aborted()) throw new RetryAbortedError(attempt, { cause: error });
    }
  }
}
