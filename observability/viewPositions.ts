/**
 * A view's position per partition for the metrics, as /health computes lag: the log's end
 * offset minus the offset stored with the view (a partition with none has everything to go);
 * and a rebuild's progress as the share of the log's records its version has applied. Pure.
 */
import type { PartitionOffsets } from '../platform/kafka.js';

export type ViewPosition = {
  readonly view: string;
  readonly partition: number;
  /** The stored offset − 1; undefined while the view has stored nothing for the partition. */
  readonly lastApplied: bigint | undefined;
  readonly lag: bigint;
};

export function viewPositionsOf(
  view: string,
  ends: readonly PartitionOffsets[],
  stored: ReadonlyMap<number, bigint>,
): readonly ViewPosition[] {
  return ends.map((end) => {
    const next = stored.get(end.partition);
    const at = next ?? 0n;
    return {
      view,
      partition: end.partition,
      lastApplied: next === undefined ? undefined : next - 1n,
      lag: end.high > at ? end.high - at : 0n,
    };
  });
}

/** Records applied over records on the log (from each partition's first offset), 0–1; 1 for an empty log. */
export function rebuildRatioOf(ends: readonly PartitionOffsets[], stored: ReadonlyMap<number, bigint>): number {
  let total = 0n;
  let done = 0n;
  for (const end of ends) {
    const size = end.high > end.low ? end.high - end.low : 0n;
    const at = stored.get(end.partition) ?? end.low;
    const applied = at <= end.low ? 0n : at >= end.high ? size : at - end.low;
    total += size;
    done += applied;
  }
  return total === 0n ? 1 : Number(done) / Number(total);
}
