import { describe, expect, it } from 'vitest';
import { asOfStops, NOW, nhsNumberOf } from './asOfStops.js';
import { patientAccess } from './patientAccess.js';

describe('the as-of slider stops', () => {
  it('has one stop per distinct record time, oldest first, then now', () => {
    const stops = asOfStops([
      { recordedAt: '2026-03-04T10:01:00.250Z' },
      { recordedAt: '2026-03-02T09:00:15Z' },
      { recordedAt: '2026-03-02T09:00:15.000Z' },
      { recordedAt: 'not a time' },
    ]);
    expect(stops.map((s) => s.asOf)).toEqual(['2026-03-02T09:00:15.000Z', '2026-03-04T10:01:00.250Z', undefined]);
    expect(stops[0]?.label).toBe('as recorded at 2026-03-02 09:00:15 UTC');
    expect(stops.at(-1)).toBe(NOW);
  });

  it('is only now without events', () => {
    expect(asOfStops([])).toEqual([NOW]);
  });
});

describe('the NHS number check', () => {
  it('takes ten digits, with or without spaces', () => {
    expect(nhsNumberOf('999 200 0368')).toBe('9992000368');
    expect(nhsNumberOf('9992000368')).toBe('9992000368');
  });
  it('refuses anything else', () => {
    for (const text of ['', '999200036', '99920003681', '999200036x', '../../admin'])
      expect(nhsNumberOf(text)).toBe(undefined);
  });
});

describe('what the patient pages show each role', () => {
  it('follows the access policy', () => {
    expect(patientAccess(['gp'])).toEqual({
      timeline: true,
      sourceMessage: false,
      chain: false,
      gpSummary: true,
      medications: true,
      carePlan: true,
    });
    expect(patientAccess(['pharmacist'])).toMatchObject({ medications: true, gpSummary: false, carePlan: false });
    expect(patientAccess(['care-coordinator'])).toMatchObject({ carePlan: true, gpSummary: false, medications: false });
    expect(patientAccess(['auditor'])).toEqual({
      timeline: true,
      sourceMessage: true,
      chain: true,
      gpSummary: false,
      medications: false,
      carePlan: false,
    });
    expect(Object.values(patientAccess(['operator'])).some(Boolean)).toBe(false);
  });
});
