/**
 * Reads a replay window off the canonical topic. `planWindow` asks the broker for each
 * partition's watermarks and offsets-for-times at `from` and `to`; `readWindow` then reads the
 * partitions one after another, each from its start offset to its end offset, so rows come in
 * (partition, offset) order whatever the timing. Kinds are filtered on the `event-type` header,
 * so skipped kinds are never decoded. The consumer's group is a throw-away one that only gets
 * it the partitions: nothing is committed, and no one else's offsets move. I/O.
 */
import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../platform/eventCodec.js';
import type { EachBatchPayload, Kafka } from '../platform/kafka.js';
import { withRetry } from '../platform/retry.js';
import type { ClinicalEventType } from '../schemas/generated/events.js';
import { recordHeaders } from '../schemas/topics.js';
import type { ExportRow } from './exportRow.js';
import type { ReplayWindow } from './parseReplayWindow.js';
import { type PartitionRange, planWindowOffsets, type WindowPlan } from './planWindowOffsets.js';

/** Where a window is read from: the canonical topic and the codec for its events. */
export type LogSource = { readonly kafka: Kafka; readonly topic: string; readonly codec: EventCodec };

export type WindowProgress = {
  /** Offsets of the plan read so far, including records filtered out. */
  readonly offsetsRead: bigint;
  readonly offsetsPlanned: bigint;
  /** Rows handed on. */
  readonly events: number;
};

export class TopicNotFoundError extends Error {
  readonly code = 'CEL_ERR_TOPIC_NOT_FOUND';
  readonly retriable = false;
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist; is TOPIC_NAMESPACE the one the service writes with?`);
    this.name = 'TopicNotFoundError';
  }
}

/** A record inside the window that does not decode: the export stops rather than leave it out. */
export class UndecodableWindowRecordError extends Error {
  readonly code = 'CEL_ERR_REPLAY_UNDECODABLE';
  readonly retriable = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    options: ErrorOptions,
  ) {
    super(`the record at ${topic}[${partition}]@${offset} does not decode; see npm run log -- tail`, options);
    this.name = 'UndecodableWindowRecordError';
  }
}

/**
 * kafkajs's admin gives up at once on a retriable broker answer such as NOT_LEADER (a
 * partition whose leadership is moving, or a topic just created): ask again a few times
 * (after 0.2, 0.4, 0.8 and 1.6 s). Only answers that say they are retriable are asked again.
 */
const askAgainWhileRetriable = <T>(ask: () => Promise<T>): Promise<T> =>
  withRetry(ask, {
    attempts: 5,
    initialDelayMs: 200,
    maxDelayMs: Number.POSITIVE_INFINITY,
    growth: 'exponential',
    factor: 2,
    jitter: 0,
    retriable: (error) => (error as { retriable?: unknown }).retriable === true,
  });

export async function planWindow(source: LogSource, window: ReplayWindow): Promise<WindowPlan> {
  const admin = source.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(source.topic)) throw new TopicNotFoundError(source.topic);
    return await askAgainWhileRetriable(async () => {
      // Watermarks first: every later answer is clamped to them, so the plan is one snapshot.
      const watermarks = await admin.fetchTopicOffsets(source.topic);
      const atFrom = await admin.fetchTopicOffsetsByTimestamp(source.topic, window.from.getTime());
      const atTo =
        window.time === 'record' ? await admin.fetchTopicOffsetsByTimestamp(source.topic, window.to.getTime()) : [];
      const answer = (answers: readonly { partition: number; offset: string }[], partition: number) =>
        BigInt(answers.find((a) => a.partition === partition)?.offset ?? '-1');
      return planWindowOffsets(
        watermarks.map((w) => ({
          partition: w.partition,
          low: BigInt(w.low),
          high: BigInt(w.high),
          atFrom: answer(atFrom, w.partition),
          atTo: answer(atTo, w.partition),
        })),
        window.time,
      );
    });
  } finally {
    await admin.disconnect();
  }
}

type Message = EachBatchPayload['batch']['messages'][number];

/** What one fetch of the partition being read adds: its records inside the plan and the offsets they span. */
type Fetched = { readonly partition: number; readonly messages: readonly Message[]; readonly offsets: bigint };

const HEARTBEAT_MS = 3000;

/**
 * A one-slot channel from the consumer's batch callback to the reader. The callback waits,
 * heartbeating so a slow reader does not cost the partitions, until the reader has taken its
 * batch: one batch is fetched ahead while the reader works on the one before, and no more.
 * kafkajs calls the callback for one batch at a time, so there is one put at a time.
 */
function createHandoff<T>() {
  let slot: T | undefined;
  let ended = false;
  let closed = false;
  let failure: { readonly error: unknown } | undefined;
  let wake: () => void = () => undefined;
  const changed = () => wake();
  const nextChange = () => new Promise<void>((resolve) => (wake = resolve));
  return {
    /** Resolves true once the reader took `item`, false if the reader stopped first. */
    async put(item: T, heartbeat: () => Promise<void>): Promise<boolean> {
      slot = item;
      changed();
      while (slot === item && !closed) {
        const beat = new Promise<void>((resolve) => setTimeout(resolve, HEARTBEAT_MS).unref());
        await Promise.race([nextChange(), beat]);
        // A heartbeat refused during a rebalance is harmless: the next assignment re-seeks.
        if (slot === item && !closed) await heartbeat().catch(() => undefined);
      }
      return !closed;
    },
    /** The next item; undefined after `end`, once the slot is empty. */
    async take(): Promise<T | undefined> {
      for (;;) {
        if (failure !== undefined) throw failure.error;
        if (slot !== undefined) {
          const item = slot;
          slot = undefined;
          changed();
          return item;
        }
        if (ended) return undefined;
        await nextChange();
      }
    },
    /** Nothing more will be put; called when the slot is empty. */
    end() {
      ended = true;
      changed();
    },
    fail(error: unknown) {
      failure ??= { error };
      changed();
    },
    /** The reader stops: a waiting put returns false. */
    close() {
      closed = true;
      ended = true;
      slot = undefined;
      changed();
    },
  };
}

const textOf = (header: Buffer | string | (Buffer | string)[] | undefined): string | undefined =>
  header === undefined ? undefined : Array.isArray(header) ? textOf(header[0]) : header.toString();

/**
 * The rows of the window in (partition, offset) order. Record time: the records whose Kafka
 * timestamp is in [from, to). Clinical time: the events whose occurredAt is in [from, to),
 * among the records from the plan's start offsets to the ends of the partitions.
 */
export async function* readWindow(
  source: LogSource,
  window: ReplayWindow,
  plan: WindowPlan,
  onProgress?: (progress: WindowProgress) => void,
): AsyncGenerator<ExportRow> {
  const ranges = plan.ranges.filter((r) => r.end > r.start);
  const firstRange = ranges[0];
  if (firstRange === undefined) return;
  const { topic, codec } = source;
  const partitions = plan.ranges.map((r) => r.partition);
  const handoff = createHandoff<Fetched>();
  let index = 0;
  let next = firstRange.start;

  const consumer = source.kafka.consumer({
    // Under the topic's namespace, where the service principal may keep groups (the secured stack's ACLs).
    groupId: `${topic}.replay-${randomUUID()}`,
    sessionTimeout: 30_000,
    heartbeatInterval: HEARTBEAT_MS,
    maxBytesPerPartition: 4 * 1024 * 1024,
    // The window's records are all there already: a fetch that finds nothing is one from
    // before a seek landed, and waiting the default 5 s for new records would only delay it.
    maxWaitTimeInMs: 100,
    // Joining waits out a coordinator that is loading or moving (a broker just started or failing over).
    retry: { retries: 10 },
  });
  /** Only the partition being read is fetched, from where reading stands. */
  const positionOn = (range: PartitionRange) => {
    consumer.pause([{ topic, partitions: partitions.filter((p) => p !== range.partition) }]);
    consumer.seek({ topic, partition: range.partition, offset: String(next) });
    consumer.resume([{ topic, partitions: [range.partition] }]);
  };
  // On every assignment (the first, and any after a rebalance), position again.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    const range = ranges[index];
    if (range !== undefined) positionOn(range);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => handoff.fail(payload.error));

  const eachBatch = async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const range = ranges[index];
    if (range === undefined || batch.partition !== range.partition || !isRunning() || isStale()) return;
    const first = batch.firstOffset();
    if (first === null) return;
    // A fetch from before the seek landed (kafkajs applies seeks loosely): go back to `next`.
    if (BigInt(first) > next) {
      consumer.seek({ topic, partition: range.partition, offset: String(next) });
      return;
    }
    // lastOffset counts control records too, so `next` passes over them.
    const last = BigInt(batch.lastOffset());
    const upTo = last + 1n < range.end ? last + 1n : range.end;
    if (upTo <= next) return;
    const from = next;
    const messages = batch.messages.filter((m) => {
      const offset = BigInt(m.offset);
      return offset >= from && offset < upTo;
    });
    // Advance before handing over: a rebalance while the batch waits re-seeks past it, not onto it.
    next = upTo;
    const done = next >= range.end;
    if (done) {
      index += 1;
      const following = ranges[index];
      if (following !== undefined) {
        next = following.start;
        positionOn(following);
      }
    }
    const taken = await handoff.put({ partition: range.partition, messages, offsets: upTo - from }, heartbeat);
    if (taken && done && index >= ranges.length) handoff.end();
  };

  const rowOf = async (partition: number, message: Message): Promise<ExportRow | undefined> => {
    const recordTime = Number(message.timestamp);
    if (window.time === 'record' && (recordTime < window.from.getTime() || recordTime >= window.to.getTime()))
      return undefined;
    const type = textOf(message.headers?.[recordHeaders.eventType]);
    if (window.kinds !== undefined && type !== undefined && !window.kinds.has(type as ClinicalEventType))
      return undefined;
    if (message.value === null) return undefined;
    let event: ExportRow['event'];
    try {
      event = await codec.decode(message.value);
    } catch (error) {
      throw new UndecodableWindowRecordError(topic, partition, message.offset, { cause: error });
    }
    if (window.kinds !== undefined && !window.kinds.has(event.type)) return undefined; // a record without the header
    if (window.time === 'clinical') {
      const occurredAt = event.occurredAt.getTime();
      if (occurredAt < window.from.getTime() || occurredAt >= window.to.getTime()) return undefined;
    }
    return { partition, offset: message.offset, recordTime: new Date(recordTime), event };
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch });
    let offsetsRead = 0n;
    let events = 0;
    for (;;) {
      const fetched = await handoff.take();
      if (fetched === undefined) break;
      for (const message of fetched.messages) {
        const row = await rowOf(fetched.partition, message);
        if (row === undefined) continue;
        events += 1;
        yield row;
      }
      offsetsRead += fetched.offsets;
      onProgress?.({ offsetsRead, offsetsPlanned: plan.offsets, events });
    }
  } finally {
    handoff.close();
    await consumer.disconnect();
  }
}
