/** A rebuild's progress against the log: position, lag, rate, ETA, and the line that shows them. Pure. */

/** Next offset per partition (stored offsets, or the log's end offsets). */
export type Offsets = ReadonlyMap<number, bigint>;

/** Records below the offsets, summed over partitions: how far along the log a version is. */
export const positionOf = (offsets: Offsets): bigint => [...offsets.values()].reduce((sum, o) => sum + o, 0n);

/** Records between the stored offsets and the end offsets; a partition with no stored offset has all of its records to go. */
export function lagOf(stored: Offsets, ends: Offsets): bigint {
  let lag = 0n;
  for (const [partition, end] of ends) {
    const at = stored.get(partition) ?? 0n;
    if (end > at) lag += end - at;
  }
  return lag;
}

export const isCaughtUp = (stored: Offsets, ends: Offsets): boolean => lagOf(stored, ends) === 0n;

export function sameOffsets(a: Offsets, b: Offsets): boolean {
  return a.size === b.size && [...a].every(([partition, offset]) => b.get(partition) === offset);
}

/** `0:120 1:98 2:131`, by partition. */
export const describeOffsets = (offsets: Offsets): string =>
  [...offsets]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}:${o}`)
    .join(' ') || '(none)';

export type ProgressSample = {
  /** Milliseconds, from any clock. */
  readonly at: number;
  readonly stored: Offsets;
  readonly ends: Offsets;
};

export type ProgressCounts = { readonly applied: number; readonly duplicates: number; readonly deadLettered: number };

/** Whole seconds, minutes and seconds, or hours and minutes. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One progress line: events applied so far in this run, the rate over the log since `first`
 * (records consumed per second, duplicates included), the lag, and the time to catch up at
 * that rate.
 */
export function describeProgress(
  label: string,
  counts: ProgressCounts,
  first: ProgressSample,
  now: ProgressSample,
): string {
  const lag = lagOf(now.stored, now.ends);
  const elapsed = (now.at - first.at) / 1000;
  const consumed = Number(positionOf(now.stored) - positionOf(first.stored));
  const rate = elapsed > 0 ? consumed / elapsed : 0;
  const eta = lag === 0n ? 'caught up' : rate > 0 ? `ETA ${duration(Number(lag) / rate)}` : 'ETA unknown';
  const extra = [
    counts.duplicates > 0 ? `${counts.duplicates} duplicates skipped` : '',
    counts.deadLettered > 0 ? `${counts.deadLettered} dead-lettered` : '',
  ].filter((s) => s !== '');
  return [
    `${label}: ${counts.applied} events applied${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`,
    rate > 0 ? `${Math.round(rate)} events/s` : '… events/s',
    `at offset ${positionOf(now.stored)} of ${positionOf(now.ends)}`,
    `lag ${lag}`,
    eta,
  ].join(' · ');
}
