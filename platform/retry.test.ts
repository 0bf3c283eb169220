import { describe, expect, test } from 'vitest';
import { RetryAbortedError, retryDefaults, retryDelayMs, withRetry } from './retry.js';

/** A wait that takes no time and records what it was asked for. */
function fakeDelay() {
  const waits: number[] = [];
  const delay = async (ms: number, signal?: AbortSignal) => {
    waits.push(ms);
    if (signal?.aborted === true) throw signal.reason;
  };
  return { waits, delay };
}

/** Work that fails with the given errors in turn, then answers 'done'. */
function failingWith(...errors: unknown[]) {
  const attempts: number[] = [];
  const work = async (attempt: number) => {
    attempts.push(attempt);
    const error = errors[attempts.length - 1];
    if (error !== undefined) throw error;
    return 'done';
  };
  return { attempts, work };
}

const exact = { jitter: 0 } as const;

describe('retryDelayMs', () => {
  test.each([
    { name: 'exponential doubles from the initial wait', growth: 'exponential', waits: [100, 200, 400, 800, 1000] },
    { name: 'linear adds the initial wait each time', growth: 'linear', waits: [100, 200, 300, 400, 500] },
    { name: 'constant waits the same', growth: 'constant', waits: [100, 100, 100, 100, 100] },
  ] as const)('$name, capped at the maximum', ({ growth, waits }) => {
    const backoff = { ...retryDefaults, ...exact, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, growth };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(backoff, n))).toEqual(waits);
  });

  test('jitter spreads a wait by its fraction either side, never past the maximum', () => {
    const backoff = {
      ...retryDefaults,
      initialDelayMs: 1000,
      maxDelayMs: 1100,
      jitter: 0.2,
      growth: 'constant',
    } as const;
    expect(retryDelayMs(backoff, 1, () => 0)).toBe(800);
    expect(retryDelayMs(backoff, 1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(backoff, 1, () => 0.999_999)).toBe(1100);
  });
});

describe('withRetry', () => {
  test('retries until the work succeeds, waiting the policy between attempts', async () => {
    const { waits, delay } = fakeDelay();
    const { attempts, work } = failingWith(new Error('one'), new Error('two'));
    const result = await withRetry(work, { ...exact, initialDelayMs: 50, factor: 3, delay });
    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([50, 150]);
  });

  test('an error marked retriable: false stops at once, whatever the predicate says', async () => {
    const { waits, delay } = fakeDelay();
    const fatal = Object.assign(new Error('fatal'), { retriable: false });
    const { attempts, work } = failingWith(fatal);
    await expect(withRetry(work, { delay, retriable: () => true })).rejects.toBe(fatal);
    expect(attempts).toEqual([1]);
    expect(waits).toEqual([]);
  });

  test('an error the predicate refuses stops at once and is thrown as it is', async () => {
    const { delay } = fakeDelay();
    const refused = new Error('not ours to retry');
    const { attempts, work } = failingWith(new Error('transient'), refused);
    await expect(
      withRetry(work, { delay, retriable: (error) => (error as Error).message === 'transient' }),
    ).rejects.toBe(refused);
    expect(attempts).toEqual([1, 2]);
  });

  test('gives up after the allowed attempts with the last failure, the waits capped', async () => {
    const { waits, delay } = fakeDelay();
    const last = new Error('third');
    const { attempts, work } = failingWith(new Error('first'), new Error('second'), last, new Error('never'));
    await expect(withRetry(work, { ...exact, attempts: 3, initialDelayMs: 400, maxDelayMs: 500, delay })).rejects.toBe(
      last,
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([400, 500]);
  });

  test("'unlimited' goes on past the default number of attempts", async () => {
    const { delay } = fakeDelay();
    const { attempts, work } = failingWith(...Array.from({ length: 12 }, (_, i) => new Error(`failure ${i}`)));
    await expect(withRetry(work, { attempts: 'unlimited', delay })).resolves.toBe('done');
    expect(attempts).toHaveLength(13);
  });

  test('onRetry hears each failure that is retried, with its attempt and wait, and not the last one', async () => {
    const { delay } = fakeDelay();
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const { work } = failingWith(...errors);
    const heard: [unknown, number, number][] = [];
    await expect(
      withRetry(work, {
        ...exact,
        attempts: 3,
        initialDelayMs: 10,
        growth: 'linear',
        delay,
        onRetry: (error, attempt, ms) => heard.push([error, attempt, ms]),
      }),
    ).rejects.toBe(errors[2]);
    expect(heard).toEqual([
      [errors[0], 1, 10],
      [errors[1], 2, 20],
    ]);
  });

  test('aborting the signal ends the wait with RetryAbortedError carrying the failure', async () => {
    const controller = new AbortController();
    const failure = new Error('registry away');
    const { attempts, work } = failingWith(failure, failure, failure);
    const delay = async (_ms: number, signal?: AbortSignal) => {
      controller.abort();
      if (signal?.aborted === true) throw signal.reason;
    };
    const retried = withRetry(work, { attempts: 'unlimited', signal: controller.signal, delay });
    await expect(retried).rejects.toBeInstanceOf(RetryAbortedError);
    await expect(retried).rejects.toMatchObject({ cause: failure, attempts: 1 });
    expect(attempts).toEqual([1]);
  });

  test('an already aborted signal makes no further attempt, also with no wait between', async () => {
    const controller = new AbortController();
    controller.abort();
    const { attempts, work } = failingWith(new Error('x'));
    await expect(withRetry(work, { initialDelayMs: 0, signal: controller.signal })).rejects.toBeInstanceOf(
      RetryAbortedError,
    );
    expect(attempts).toEqual([1]);
  });

  test('the real timer ends early when the signal aborts', async () => {
    const controller = new AbortController();
    const { work } = failingWith(new Error('x'));
    const retried = withRetry(work, { ...exact, initialDelayMs: 600_000, signal: controller.signal });
    controller.abort();
    await expect(retried).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
