import { describe, expect, test } from 'vitest';
import { createIdentityTurns } from './identityTurns.js';

/** Whether a promise has settled, after the microtasks queued so far have run. */
const settledYet = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('identity turns', () => {
  test('a holder of the same identity waits for the earlier one; another identity does not', async () => {
    const turns = createIdentityTurns();
    const first = await turns.take(['a', 'b']);
    const second = turns.take(['b']);
    const other = turns.take(['c']);
    expect(await settledYet(second)).toBe(false);
    expect(await settledYet(other)).toBe(true);
    first();
    expect(await settledYet(second)).toBe(true);
  });

  test('turns over several identities never wait on each other (no deadlock), and go in arrival order', async () => {
    const turns = createIdentityTurns();
    const order: string[] = [];
    const run = async (name: string, ids: readonly string[]) => {
      const end = await turns.take(ids);
      order.push(name);
      await new Promise((resolve) => setImmediate(resolve));
      end();
    };
    await Promise.all([run('1', ['a', 'b']), run('2', ['b', 'a']), run('3', ['a']), run('4', ['b', 'b'])]);
    expect(order).toEqual(['1', '2', '3', '4']);
  });
});
