import { describe, expect, it } from 'vitest';
import { sectionsFor } from './sections.js';

const ids = (roles: readonly string[]) => sectionsFor(roles).map((section) => section.id);

describe("the console's sections", () => {
  it('shows each role only the sections it may use', () => {
    expect(ids(['gp'])).toEqual(['patient']);
    expect(ids(['pharmacist'])).toEqual(['patient']);
    expect(ids(['care-coordinator'])).toEqual(['patient']);
    expect(ids(['operator'])).toEqual(['operations']);
    expect(ids(['auditor'])).toEqual(['patient', 'audit']);
    expect(ids(['analyst'])).toEqual([]);
    expect(ids(['integration'])).toEqual([]);
    expect(ids([])).toEqual([]);
  });
});
