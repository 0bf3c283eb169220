/** The release scheduler with fake finders and a fake timer: order, retries after a failure, and shutdown. */
import { describe, expect, test } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import type { HeldInput } from './heldInputs.js';
import type { IngestOutcome } from './ingestService.js';
import { createReleaseScheduler, type ParkedFinders } from './releaseScheduler.js';

const held = (id: number): HeldInput => ({
  id,
  receiptId: `r${id}`,
  channel: 'HL7V2',
  endpoint: 'mllp',
  contentType: 'x-application/hl7-v2+er7',
  payload: Buffer.alloc(0),
  correlationId: `c${id}`,
  remoteAddress: null,
  receivedAt: new Date(0),
  reasonCode: 'patient-unresolved',
  reason: '',
  location: null,
  status: 'parked',
});

function schedulerUnderTest(find: Partial<ParkedFinders>, release?: (h: HeldInput) => Promise<void>) {
  const released: number[] = [];
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = [];
  const scheduler = createReleaseScheduler({
    find: { waitingOn: async () => [], nowResolvable: async () => [], ...find },
    release: async (h) => {
      await release?.(h);
      released.push(h.id);
      return { kind: 'duplicate' } as IngestOutcome;
    },
    logger: createLogger('silent'),
    setTimer: (run, ms) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
  });
  return { scheduler, released, timers };
}

describe('the release scheduler', () => {
  test('releases what waited on learned mappings, in park order, one after another', async () => {
    const { scheduler, released } = schedulerUnderTest({
      waitingOn: async (learned) => (learned.length > 0 ? [held(3), held(5)] : []),
    });
    scheduler.learned([{ authority: 'RXX', localId: 'A1' }]);
    scheduler.learned([]);
    await scheduler.idle();
    expect(released).toEqual([3, 5]);
  });

  test('a new park looks once more for the mapping it waits on; a conflict (waiting on nothing) does not', async () => {
    const asked: unknown[] = [];
    const { scheduler } = schedulerUnderTest({
      nowResolvable: async (waitingOn) => {
        asked.push(waitingOn);
        return [];
      },
    });
    scheduler.parked({ authority: 'RXX', value: 'A1' });
    scheduler.parked(undefined);
    await scheduler.idle();
    expect(asked).toEqual([{ authority: 'RXX', value: 'A1' }]);
  });

  test('a failed release schedules a sweep, 1 s doubling; a successful one resets the wait', async () => {
    let failing = 2;
    const { scheduler, released, timers } = schedulerUnderTest({ nowResolvable: async () => [held(1)] }, async () => {
      if (failing > 0) {
        failing -= 1;
        throw new Error('connection lost');
      }
    });
    await scheduler.sweep();
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    timers[0]?.run();
    await scheduler.idle();
    expect(timers.map((t) => t.ms)).toEqual([1000, 2000]);
    timers[1]?.run();
    await scheduler.idle();
    expect(released).toEqual([1]);
    expect(timers).toHaveLength(2);
  });

  test('after close, a failure schedules nothing', async () => {
    const { scheduler, timers } = schedulerUnderTest({ nowResolvable: async () => [held(1)] }, async () => {
      throw new Error('connection lost');
    });
    await scheduler.close();
    await scheduler.sweep();
    expect(timers).toEqual([]);
  });
});
