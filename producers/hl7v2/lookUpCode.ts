/** Reads a sender's code through one of our HL7 code tables (0119, 0206, 0396 …), which are plain `as const` objects. Pure. */

/** The table's answer for `code`, compared exactly; undefined for a code the table does not hold (never an inherited key). */
export function lookUpCode<T>(table: Readonly<Record<string, T>>, code: string): T | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined;
}
