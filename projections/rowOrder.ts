/** A fixed order for a view's rows, so the same state always gives the same lists. Pure. */

/** Compares rows by each key in turn (string order; ISO instants sort as instants). */
export const byKeys =
  <T>(...keys: readonly ((row: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
