/**
 * Which offsets of each partition a replay window reads, from the broker's answers: the
 * partition's low and high watermarks and its offsets-for-times at `from` and `to`. Pure.
 */
import type { TimeBasis } from './parseReplayWindow.js';

/** What the broker said about one partition, taken watermarks first. */
export type PartitionAnswers = {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: bigint;
  /** End offset: the offset the next record will get. */
  readonly high: bigint;
  /** Offsets-for-times at `from`: the first offset whose record time is ≥ from; negative when there is none. */
  readonly atFrom: bigint;
  /** Offsets-for-times at `to`; negative when there is none. */
  readonly atTo: bigint;
};

/** Offsets [start, end) of one partition. */
export type PartitionRange = { readonly partition: number; readonly start: bigint; readonly end: bigint };

export type WindowPlan = {
  /** One range per partition, by partition number; some may be empty. */
  readonly ranges: readonly PartitionRange[];
  /** How many offsets the ranges hold together: the 100 % of progress. */
  readonly offsets: bigint;
};

const clamp = (value: bigint, low: bigint, high: bigint) => (value < low ? low : value > high ? high : value);

/**
 * Record time: from the first offset at or after `from` to the first offset at or after `to`.
 * Clinical time: from the first offset recorded at or after `from` (an event is recorded after
 * it happens) to the end of the partition, since a fact that happened inside the window may be
 * recorded at any time later. A negative answer (no record that late) means the high
 * watermark; every offset is kept inside [low, high] as read before the lookups.
 */
export function planWindowOffsets(partitions: readonly PartitionAnswers[], time: TimeBasis): WindowPlan {
  const ranges = [...partitions]
    .sort((a, b) => a.partition - b.partition)
    .map(({ partition, low, high, atFrom, atTo }) => {
      const start = clamp(atFrom < 0n ? high : atFrom, low, high);
      const end = time === 'clinical' ? high : clamp(atTo < 0n ? high : atTo, start, high);
      return { partition, start, end };
    });
  return { ranges, offsets: ranges.reduce((n, r) => n + (r.end - r.start), 0n) };
}
