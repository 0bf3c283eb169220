/** The GP view's tables and the migration that creates them; a rebuild derives its shadow names from these. */
export const gpViewTables = { state: 'gp_view_patients' } as const;
export type GpViewTables = { readonly [K in keyof typeof gpViewTables]: string };
export const gpViewMigrations = ['0003_views.sql'] as const;
