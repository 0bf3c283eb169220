import { describe, expect, test } from 'vitest';
import { createLogger } from '../platform/logger.js';
import { createPartitionHolds, HOLD_POLL_MS } from './partitionHolds.js';

function holdsFixture(stopping = false) {
  const messages: string[] = [];
  const seeks: [number, bigint][] = [];
  const waits: number[] = [];
  const holds = createPartitionHolds({
    logger: createLogger('info', {
      write: (line: string) => {
        messages.push(String((JSON.parse(line) as { msg: unknown }).msg));
      },
    }),
    seekTo: (partition, offset) => seeks.push([partition, offset]),
    isStopping: () => stopping,
    delay: async (ms) => {
      waits.push(ms);
    },
  });
  return { holds, messages, seeks, waits };
}

describe('createPartitionHolds', () => {
  test('a held partition waits a moment and fetches from the held offset again; start and end are logged once', async () => {
    const { holds, messages, seeks, waits } = holdsFixture();
    await holds.waitOut(2, 40n);
    await holds.waitOut(2, 40n);
    holds.applied(2);
    holds.applied(2);
    expect(seeks).toEqual([
      [2, 40n],
      [2, 40n],
    ]);
    expect(waits).toEqual([HOLD_POLL_MS, HOLD_POLL_MS]);
    expect(messages).toEqual(['partition held (a rebuild is aligning with this view)', 'hold lifted; applying again']);
  });

  test('a partition never held logs nothing when applied', () => {
    const { holds, messages } = holdsFixture();
    holds.applied(1);
    expect(messages).toEqual([]);
  });

  test('when stopping it does not wait, but still moves the position back to the hold', async () => {
    const { holds, seeks, waits } = holdsFixture(true);
    await holds.waitOut(0, 7n);
    expect(waits).toEqual([]);
    expect(seeks).toEqual([[0, 7n]]);
  });
});
