/**
 * The kafkajs request queue, with the idle-loop fix applied: an idle queue schedules nothing;
 * a request that has to wait (throttled by the broker) is still sent once the throttle ends.
 */
import { describe, expect, test, vi } from 'vitest';
import { kafkajsRequestQueue, pendingCheckDelay } from './kafkajsIdleLoopFix.js';

type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  push(request: unknown): void;
  destroy(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(): Queue {
  const RequestQueue = kafkajsRequestQueue as unknown as new (options: object) => Queue;
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

describe('pendingCheckDelay', () => {
  test('nothing pending: no check', () => {
    expect(pendingCheckDelay(0, -1, 1_000)).toBeUndefined();
    expect(pendingCheckDelay(0, 5_000, 1_000)).toBeUndefined();
  });
  test('pending and throttled: when the throttle ends; pending and not throttled: the 10 ms recheck', () => {
    expect(pendingCheckDelay(2, 1_250, 1_000)).toBe(250);
    expect(pendingCheckDelay(2, -1, 1_000)).toBe(10);
    expect(pendingCheckDelay(1, 1_000, 1_000)).toBe(10);
  });
});

describe('the kafkajs request queue with the fix', () => {
  test('an idle queue schedules no timer after a check (the library polled once a millisecond)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  test('a request held by a broker throttle is sent once the throttle has ended', async () => {
    const q = queue();
    q.throttledUntil = Date.now() + 30;
    const sent = vi.fn();
    q.push({
      entry: {
        apiKey: 0,
        apiName: 'Produce',
        apiVersion: 7,
        correlationId: 1,
        resolve: () => undefined,
        reject: () => undefined,
      },
      expectResponse: true,
      requestTimeout: 30_000,
      sendRequest: sent,
    });
    expect(sent).not.toHaveBeenCalled();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await vi.waitFor(() => expect(sent).toHaveBeenCalledTimes(1), { timeout: 2_000, interval: 5 });
    expect(q.pending).toEqual([]);
    q.destroy();
  });
});
