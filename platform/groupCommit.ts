/**
 * Group commit for a statement many callers make at once: with a free slot a request goes at
 * once, alone; requests that arrive while every slot is busy wait and then go together in one
 * call. Under load that turns N statements into a few, at no cost in latency when idle. Each
 * caller's promise settles with the call that carried its request; a failed call fails every
 * request it carried.
 *
 * Gathering: where the caller knows that more requests are on their way (requests being worked
 * on that will each end in one), a free slot may wait for them, for a few milliseconds at most,
 * so that one call carries them all; with none on the way a request still goes at once.
 */
export type GroupCommitOptions<Request, Result> = {
  /** Runs requests together; answers one result per request, in the same order. */
  readonly run: (requests: readonly Request[]) => Promise<readonly Result[]>;
  /** Calls in flight at once (default 2). */
  readonly maxInFlight?: number;
  /** Requests in one call at most (default 256). */
  readonly maxBatch?: number;
  /**
   * Further bounds on one call: the sizes of its requests (records, bytes …) add up to at most
   * `max` each. A request larger than a bound on its own still goes, alone.
   */
  readonly limits?: readonly { readonly size: (request: Request) => number; readonly max: number }[];
  /**
   * Wait for requests on their way: while `expected()` is true, waiting requests are held for
   * at most `maxMs` after the first of them arrived (or until a call is full). Call `release()`
   * when `expected()` may have become false without a request arriving.
   */
  readonly gather?: { readonly expected: () => boolean; readonly maxMs: number };
};

export type GroupCommit<Request, Result> = ((request: Request) => Promise<Result>) & {
  /** Looks again whether held requests may go (after `gather.expected()` changed). */
  readonly release: () => void;
};

type Waiting<Request, Result> = {
  readonly request: Request;
  /** performance.now() at arrival. */
  readonly at: number;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
};

export function groupCommit<Request, Result>(
  options: GroupCommitOptions<Request, Result>,
): GroupCommit<Request, Result> {
  const maxInFlight = options.maxInFlight ?? 2;
  const maxBatch = options.maxBatch ?? 256;
  const limits = options.limits ?? [];
  const gather = options.gather;
  const waiting: Waiting<Request, Result>[] = [];
  let inFlight = 0;
  let holdTimer: NodeJS.Timeout | undefined;

  /** The requests at the head of the queue that fit one call; always at least one. */
  const takeBatch = (): Waiting<Request, Result>[] => {
    const totals = limits.map(() => 0);
    let taken = 0;
    for (const w of waiting) {
      if (taken >= maxBatch) break;
      const sizes = limits.map((limit) => limit.size(w.request));
      if (taken > 0 && limits.some((limit, i) => (totals[i] ?? 0) + (sizes[i] ?? 0) > limit.max)) break;
      sizes.forEach((size, i) => {
        totals[i] = (totals[i] ?? 0) + size;
      });
      taken += 1;
    }
    return waiting.splice(0, taken);
  };

  /** Whether the waiting requests wait for more on their way; arms a timer for the deadline. */
  const holding = (): boolean => {
    const first = waiting[0];
    if (gather === undefined || first === undefined || waiting.length >= maxBatch || !gather.expected()) return false;
    const left = first.at + gather.maxMs - performance.now();
    if (left <= 0) return false;
    if (holdTimer === undefined)
      holdTimer = setTimeout(() => {
        holdTimer = undefined;
        flush();
      }, Math.ceil(left)).unref();
    return true;
  };

  const flush = (): void => {
    while (inFlight < maxInFlight && waiting.length > 0 && !holding()) {
      const batch = takeBatch();
      inFlight += 1;
      Promise.resolve()
        .then(() => options.run(batch.map((w) => w.request)))
        .then((results) => {
          if (results.length !== batch.length)
            throw new Error(`group commit: ${results.length} results for ${batch.length} requests`);
          batch.forEach((w, i) => {
            w.resolve(results[i] as Result);
          });
        })
        .catch((error: unknown) => {
          for (const w of batch) w.reject(error);
        })
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  };

  const submit = (request: Request) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ request, at: performance.now(), resolve, reject });
      flush();
    });
  return Object.assign(submit, { release: flush });
}
