/**
 * The console's sections and which roles see each, following the routes each role may call
 * (auth/accessPolicy.ts): patient views for direct care and audit, operations for operators,
 * audit for auditors. Pure.
 */

export type SectionId = 'patient' | 'operations' | 'audit';

export type Section = { readonly id: SectionId; readonly title: string; readonly roles: readonly string[] };

export const sections: readonly Section[] = [
  { id: 'patient', title: 'Patient', roles: ['gp', 'pharmacist', 'care-coordinator', 'auditor'] },
  { id: 'operations', title: 'Operations', roles: ['operator'] },
  { id: 'audit', title: 'Audit', roles: ['auditor'] },
];

/** The sections any of these roles may use, in navigation order. */
export const sectionsFor = (roles: readonly string[]): readonly Section[] =>
  sections.filter((section) => section.roles.some((role) => roles.includes(role)));
