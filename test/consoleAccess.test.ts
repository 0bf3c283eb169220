/**
 * The console shows a role only what the API lets it call: its sections and the parts of its
 * patient pages are checked against the one access table (auth/accessPolicy.ts), role by role,
 * so the two cannot drift apart.
 */
import { describe, expect, test } from 'vitest';
import { accessPolicy, type RouteKey } from '../auth/accessPolicy.js';
import { roles } from '../auth/roles.js';
import { type PatientAccess, patientAccess } from '../console/src/patient/patientAccess.js';
import { sectionsFor } from '../console/src/sections.js';

const mayCall = (route: RouteKey, role: string) => {
  const rule = accessPolicy[route];
  if (rule === undefined) throw new Error(`${route} is not in the access policy`);
  return rule.access === 'anonymous' || (rule.roles as readonly string[]).includes(role);
};

/** The route behind each part of the patient pages. */
const patientParts: Readonly<Record<keyof PatientAccess, RouteKey>> = {
  timeline: 'GET /audit/patients/:nhs/timeline',
  sourceMessage: 'GET /audit/events/:eventId',
  chain: 'GET /audit/patients/:nhs/verify',
  gpSummary: 'GET /patients/:nhs/gp-summary',
  medications: 'GET /patients/:nhs/medications',
  carePlan: 'GET /patients/:nhs/care-plan',
};

describe('the console against the access policy', () => {
  test.each(roles)('%s: each part of the patient pages is shown exactly when the role may call its route', (role) => {
    const shown = patientAccess([role]);
    for (const [part, route] of Object.entries(patientParts) as [keyof PatientAccess, RouteKey][])
      expect({ part, shown: shown[part] }).toEqual({ part, shown: mayCall(route, role) });
  });

  test.each(roles)('%s: each section is offered exactly when the role may call the routes it starts with', (role) => {
    const offered = sectionsFor([role]).map((s) => s.id);
    const expected = [
      ...(mayCall('GET /audit/patients/:nhs/timeline', role) ? ['patient'] : []),
      ...(mayCall('GET /admin/parked', role) ? ['operations'] : []),
      ...(mayCall('GET /audit/access', role) ? ['audit'] : []),
    ];
    expect(offered).toEqual(expected);
  });
});
