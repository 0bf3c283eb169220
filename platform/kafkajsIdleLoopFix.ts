/**
 * Stops kafkajs 2.2.4 from polling every idle connection once a millisecond.
 *
 * Its request queue (kafkajs/src/network/requestQueue) re-schedules a check of its pending
 * requests after every check, even with nothing pending, and computes the delay as
 * `throttledUntil - Date.now()` with `throttledUntil = -1` when unthrottled: a negative delay,
 * which Node turns into 1 ms (and Node 24 warns about: TimeoutNegativeWarning). So every broker
 * connection of every client runs a timer a thousand times a second for its whole life
 * (kafkajs issues #1704, #1751; unreleased upstream). Measured here it costs a publisher most
 * of the CPU of a small acks=all write.
 *
 * The fix keeps the queue's behaviour where it matters: with requests pending a check is
 * scheduled when the broker's throttle ends, or after the library's own 10 ms interval; with
 * none pending nothing is scheduled (`push` schedules one when a request has to wait). Applied
 * once, when platform/kafka.ts is loaded, before any client exists. I/O (patches a class).
 */
import { createRequire } from 'node:module';

/** The request queue's fields and methods the fix touches (kafkajs 2.2.x, CommonJS). */
type RequestQueueInternals = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

/** kafkajs's own interval for re-checking requests that wait (CHECK_PENDING_REQUESTS_INTERVAL). */
const PENDING_RECHECK_MS = 10;

/** The delay before pending requests are checked again; undefined when nothing needs a check. */
export function pendingCheckDelay(pending: number, throttledUntil: number, now: number): number | undefined {
  if (pending === 0) return undefined;
  const untilUnthrottled = throttledUntil - now;
  return untilUnthrottled > 0 ? untilUnthrottled : PENDING_RECHECK_MS;
}

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const delay = pendingCheckDelay(this.pending.length, this.throttledUntil, Date.now());
  if (delay === undefined) return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

const require = createRequire(import.meta.url);

/** The class kafkajs's connections use (the same module instance: CommonJS caches by path). */
export const kafkajsRequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  readonly prototype: RequestQueueInternals;
};

if (typeof kafkajsRequestQueue.prototype.scheduleCheckPendingRequests !== 'function')
  throw new Error(
    'kafkajs request queue has no scheduleCheckPendingRequests: check the idle-loop fix against this kafkajs version',
  );
kafkajsRequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
