/** The GP view's tables and the migrations that create and shape them; a rebuild derives its shadow names from these. */
export const gpViewTables = { state: 'gp_view_patients' } as const;
export type GpViewTables = { readonly [K in keyof typeof gpViewTables]: string };
export const gpViewMigrations = ['0003_views.sql', '0006_view_state_lz4.sql'] as const;
