import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from '../platform/logger.js';
import { createMemberRestarts, restartDelayMs } from './memberRestarts.js';

describe('restartDelayMs', () => {
  test('1 s after the first failure, doubling, at most a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(restartDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });
});

describe('createMemberRestarts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  type Member = { readonly id: number; disconnect(): Promise<void> };

  function restartsWith(startMember: () => Promise<void>) {
    const waits: number[] = [];
    const disconnected: number[] = [];
    let current: Member | undefined;
    const member = (id: number): Member => ({
      id,
      disconnect: async () => {
        disconnected.push(id);
      },
    });
    let stopping = false;
    let replacedCount = 0;
    const restarts = createMemberRestarts<Member>({
      logger: createLogger('silent'),
      isStopping: () => stopping,
      currentMember: () => current,
      startMember,
      memberReplaced: () => {
        replacedCount += 1;
      },
      emit: (_event, { inMs }) => waits.push(inMs),
    });
    return {
      restarts,
      waits,
      disconnected,
      member,
      setCurrent: (m: Member) => {
        current = m;
      },
      stop: () => {
        stopping = true;
      },
      replaced: () => replacedCount,
    };
  }

  test('members failing in a row wait longer each time; a batch applied starts the schedule again', async () => {
    const started = vi.fn(async () => undefined);
    const { restarts, waits, member, replaced } = restartsWith(started);
    restarts.replace(member(1), new Error('crash'));
    restarts.replace(member(2), new Error('crash'));
    restarts.batchApplied();
    restarts.replace(member(3), new Error('crash'));
    expect(waits).toEqual([1000, 2000, 1000]);
    expect(replaced()).toBe(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(started).toHaveBeenCalledTimes(3);
  });

  test('the failed member is disconnected before the new one starts; a new one that fails to start is replaced too', async () => {
    const fixture = restartsWith(async () => {
      fixture.setCurrent(fixture.member(2));
      throw new Error('broker refused');
    });
    fixture.restarts.replace(fixture.member(1), new Error('crash'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(fixture.disconnected).toEqual([1]);
    expect(fixture.waits).toEqual([1000, 2000]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(fixture.disconnected).toEqual([1, 2]);
  });

  test('nothing starts once the consumer is stopping, nor after stop()', async () => {
    const started = vi.fn(async () => undefined);
    const fixture = restartsWith(started);
    fixture.restarts.replace(fixture.member(1), new Error('crash'));
    fixture.stop();
    await vi.advanceTimersByTimeAsync(1000);
    const other = restartsWith(started);
    other.restarts.replace(other.member(1), new Error('crash'));
    other.restarts.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).not.toHaveBeenCalled();
  });
});
