/** The Confluent compatibility levels and how a request names one. Pure. */

export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof compatibilityLevels)[number];

/** Confluent's default when nothing is configured; the project sets its own level. */
export const DEFAULT_COMPATIBILITY_LEVEL: CompatibilityLevel = 'BACKWARD';

/** Case-insensitive, as Confluent's `CompatibilityLevel.forName`; undefined for anything else. */
export function parseCompatibilityLevel(raw: unknown): CompatibilityLevel | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.trim().toUpperCase();
  return compatibilityLevels.find((level) => level === upper);
}
