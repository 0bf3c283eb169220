/**
 * Rates from successive counter readings (per second), and a bounded history of readings for
 * the live charts. A counter that went down was reset (the service restarted): its rate is
 * counted from zero. Pure.
 */

export type Reading = { readonly at: number; readonly value: number };

/** Per-second rate between two readings of a counter (times in milliseconds); undefined without a gap in time. */
export function ratePerSecond(previous: Reading, current: Reading): number | undefined {
  const seconds = (current.at - previous.at) / 1000;
  if (!(seconds > 0)) return undefined;
  const increase = current.value >= previous.value ? current.value - previous.value : current.value;
  return increase / seconds;
}

/** Series for a chart: shared x (seconds since the epoch) and one y per named series. */
export type History = {
  readonly times: readonly number[];
  readonly series: ReadonlyMap<string, readonly (number | null)[]>;
};

export const emptyHistory: History = { times: [], series: new Map() };

/**
 * The history with one more point (time in milliseconds), keeping the last `keep` points.
 * A series first seen now is null before; one missing now is null at this point.
 */
export function appendPoint(history: History, at: number, values: ReadonlyMap<string, number>, keep: number): History {
  const times = [...history.times, at / 1000];
  const names = new Set([...history.series.keys(), ...values.keys()]);
  const series = new Map<string, (number | null)[]>();
  for (const name of [...names].sort()) {
    const before = history.series.get(name) ?? history.times.map(() => null);
    series.set(name, [...before, values.get(name) ?? null]);
  }
  const drop = Math.max(0, times.length - keep);
  return {
    times: times.slice(drop),
    series: new Map([...series].map(([name, ys]) => [name, ys.slice(drop)])),
  };
}
