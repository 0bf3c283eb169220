/**
 * A view's per-key state (visit, diagnosis, order) as a plain JSON object, so it survives a
 * round trip through jsonb. Lookups read own keys only: an id such as `__proto__` or
 * `constructor` is just another key, never the object's prototype. Pure.
 */

export type Keyed<T> = Readonly<Record<string, T>>;

/** The entry under `key`, or undefined when there is none. */
export function entryOf<T>(record: Keyed<T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A copy of `record` with `key` set to `value`; the input is not changed. */
export function withEntry<T>(record: Keyed<T>, key: string, value: T): Keyed<T> {
  // A computed key defines an own property, even for `__proto__`.
  return { ...record, [key]: value };
}
