import { describe, expect, test } from 'vitest';
import { coversCompatibility, describeWeakened } from './registerSchemas.js';

describe('coversCompatibility', () => {
  test.each([
    ['FULL_TRANSITIVE', 'FULL_TRANSITIVE', true],
    ['FULL', 'FULL_TRANSITIVE', false],
    ['BACKWARD_TRANSITIVE', 'FULL_TRANSITIVE', false],
    ['NONE', 'FULL_TRANSITIVE', false],
    ['FULL_TRANSITIVE', 'BACKWARD', true],
    ['FORWARD_TRANSITIVE', 'BACKWARD', false],
    ['BACKWARD', 'NONE', true],
    ['NONE', 'NONE', true],
  ] as const)('%s covers %s: %s', (level, required, covers) => {
    expect(coversCompatibility(level, required)).toBe(covers);
  });
});

test('the warning names the subject, its level and who lowered it', () => {
  expect(describeWeakened({ subject: 'cel.raw-receipts-value', level: 'NONE', own: true }, 'FULL_TRANSITIVE')).toBe(
    'Schema registry: subject cel.raw-receipts-value is at NONE, weaker than FULL_TRANSITIVE; an admin lowered it',
  );
  expect(describeWeakened({ subject: 's', level: 'BACKWARD', own: false }, 'FULL_TRANSITIVE')).toMatch(
    /^Schema registry: subject s follows the global level BACKWARD, weaker than FULL_TRANSITIVE/,
  );
});
