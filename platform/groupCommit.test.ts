import { afterEach, describe, expect, test, vi } from 'vitest';
import { groupCommit } from './groupCommit.js';

/** A statement whose calls wait until the test ends them; it records what each call carried. */
function manualStatement() {
  const calls: { readonly requests: readonly number[]; end: (error?: Error) => void }[] = [];
  const run = (requests: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => {
      calls.push({
        requests,
        end: (error) => (error === undefined ? resolve(requests.map((r) => `answer ${r}`)) : reject(error)),
      });
    });
  return { run, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('groupCommit', () => {
  test('with a free slot a request goes alone; those arriving while every slot is busy go together next', async () => {
    const statement = manualStatement();
    const send = groupCommit({ run: statement.run, maxInFlight: 1 });
    const answers = [1, 2, 3, 4].map((n) => send(n));
    await settle();
    expect(statement.calls.map((c) => c.requests)).toEqual([[1]]);
    statement.calls[0]?.end();
    await settle();
    expect(statement.calls.map((c) => c.requests)).toEqual([[1], [2, 3, 4]]);
    statement.calls[1]?.end();
    expect(await Promise.all(answers)).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4']);
  });

  test('up to maxInFlight calls run at once, and a call carries at most maxBatch requests', async () => {
    const statement = manualStatement();
    const send = groupCommit({ run: statement.run, maxInFlight: 2, maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5].map((n) => send(n));
    await settle();
    expect(statement.calls.map((c) => c.requests)).toEqual([[1], [2]]);
    statement.calls[0]?.end();
    await settle();
    expect(statement.calls.map((c) => c.requests)).toEqual([[1], [2], [3, 4]]);
    statement.calls[1]?.end();
    await settle();
    expect(statement.calls.map((c) => c.requests)).toEqual([[1], [2], [3, 4], [5]]);
    for (const call of statement.calls.slice(2)) call.end();
    expect(await Promise.all(answers)).toHaveLength(5);
  });

  test('a failed call fails every request it carried, and the next requests still go', async () => {
    const statement = manualStatement();
    const send = groupCommit({ run: statement.run, maxInFlight: 1 });
    const first = send(1);
    const carried = [send(2), send(3)];
    await settle();
    statement.calls[0]?.end();
    await first;
    await settle();
    statement.calls[1]?.end(new Error('connection lost'));
    for (const request of carried) await expect(request).rejects.toThrow('connection lost');
    const next = send(4);
    await settle();
    statement.calls[2]?.end();
    expect(await next).toBe('answer 4');
  });

  test('a statement that answers the wrong number of results fails its requests rather than misattribute', async () => {
    const send = groupCommit<number, string>({ run: async () => ['only one'], maxInFlight: 1 });
    const first = send(1);
    const carried = [send(2), send(3)];
    expect(await first).toBe('only one');
    for (const request of carried) await expect(request).rejects.toThrow('1 results for 2 requests');
  });

  test('a call takes requests while their sizes fit every limit; one larger than a limit goes alone', async () => {
    const statement = manualStatement();
    const send = groupCommit({ run: statement.run, maxInFlight: 1, limits: [{ size: (n: number) => n, max: 10 }] });
    const answers = [1, 4, 5, 2, 20, 3].map((n) => send(n));
    await settle();
    statement.calls[0]?.end();
    for (let i = 1; i < 5; i += 1) {
      await settle();
      statement.calls[i]?.end();
    }
    await Promise.all(answers);
    expect(statement.calls.map((c) => c.requests)).toEqual([[1], [4, 5], [2], [20], [3]]);
  });

  describe('gathering requests on their way', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    test('with none on the way a request goes at once', async () => {
      const statement = manualStatement();
      const send = groupCommit({ run: statement.run, maxInFlight: 1, gather: { expected: () => false, maxMs: 50 } });
      const answer = send(1);
      await settle();
      expect(statement.calls.map((c) => c.requests)).toEqual([[1]]);
      statement.calls[0]?.end();
      expect(await answer).toBe('answer 1');
    });

    test('while more are on the way requests wait for them, and go together once none is left', async () => {
      const statement = manualStatement();
      let onTheWay = 2;
      const send = groupCommit({
        run: statement.run,
        maxInFlight: 1,
        gather: { expected: () => onTheWay > 0, maxMs: 60_000 },
      });
      const answers = [send(1)];
      onTheWay -= 1;
      answers.push(send(2));
      await settle();
      expect(statement.calls).toEqual([]);
      onTheWay -= 1;
      answers.push(send(3));
      await settle();
      expect(statement.calls.map((c) => c.requests)).toEqual([[1, 2, 3]]);
      statement.calls[0]?.end();
      expect(await Promise.all(answers)).toEqual(['answer 1', 'answer 2', 'answer 3']);
    });

    test('release() lets held requests go when those on the way ended without a request', async () => {
      const statement = manualStatement();
      let onTheWay = 1;
      const send = groupCommit({ run: statement.run, gather: { expected: () => onTheWay > 0, maxMs: 60_000 } });
      const answer = send(1);
      await settle();
      expect(statement.calls).toEqual([]);
      onTheWay = 0;
      send.release();
      await settle();
      expect(statement.calls.map((c) => c.requests)).toEqual([[1]]);
      statement.calls[0]?.end();
      expect(await answer).toBe('answer 1');
    });

    test('a held request waits at most maxMs after it arrived, then goes with whatever has come', async () => {
      vi.useFakeTimers();
      const statement = manualStatement();
      const send = groupCommit({ run: statement.run, gather: { expected: () => true, maxMs: 5 } });
      const answers = [send(1)];
      await vi.advanceTimersByTimeAsync(3);
      answers.push(send(2));
      await vi.advanceTimersByTimeAsync(1);
      expect(statement.calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(2);
      expect(statement.calls.map((c) => c.requests)).toEqual([[1, 2]]);
      statement.calls[0]?.end();
      expect(await Promise.all(answers)).toEqual(['answer 1', 'answer 2']);
    });

    test('a full call does not wait', async () => {
      const statement = manualStatement();
      const send = groupCommit({
        run: statement.run,
        maxBatch: 2,
        gather: { expected: () => true, maxMs: 60_000 },
      });
      const answers = [send(1), send(2)];
      await settle();
      expect(statement.calls.map((c) => c.requests)).toEqual([[1, 2]]);
      statement.calls[0]?.end();
      await Promise.all(answers);
    });
  });
});
