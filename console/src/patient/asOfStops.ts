/**
 * The as-of slider's stops: each distinct instant the patient's events were recorded at,
 * oldest first, and "now" (the live views) at the right end; and the NHS number check made
 * before any call. Pure.
 */

export type AsOfStop = {
  /** The instant for `?asOf=`, or undefined for now (the live views). */
  readonly asOf: string | undefined;
  /** What the slider says at this stop. */
  readonly label: string;
};

export const NOW: AsOfStop = { asOf: undefined, label: 'now' };

/** The stops for these events' record times: one per distinct instant, in time order, then now. */
export function asOfStops(events: readonly { readonly recordedAt: string }[]): readonly AsOfStop[] {
  const byTime = new Map<number, string>();
  for (const event of events) {
    const time = Date.parse(event.recordedAt);
    if (!Number.isNaN(time) && !byTime.has(time)) byTime.set(time, new Date(time).toISOString());
  }
  const stops = [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, iso]) => ({ asOf: iso, label: `as recorded at ${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}` }));
  return [...stops, NOW];
}

/** The NHS number without spaces when it is ten digits, else undefined. */
export function nhsNumberOf(text: string): string | undefined {
  const digits = text.replace(/\s+/g, '');
  return /^\d{10}$/.test(digits) ? digits : undefined;
}
