import { describe, expect, test } from 'vitest';
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
});
