import { describe, expect, test } from 'vitest';
import { compatibilityLevels, parseCompatibilityLevel } from './compatibilityLevel.js';

describe('parseCompatibilityLevel', () => {
  test.each(compatibilityLevels)('%s, in any case', (level) => {
    expect(parseCompatibilityLevel(level)).toBe(level);
    expect(parseCompatibilityLevel(level.toLowerCase())).toBe(level);
  });

  test.each([undefined, null, 42, '', 'SOME', 'BACKWARDS', ['FULL']])('%j is not a level', (raw) => {
    expect(parseCompatibilityLevel(raw)).toBeUndefined();
  });
});
