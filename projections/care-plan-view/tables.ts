/** The care-plan view's tables and the migrations that create and shape them; a rebuild derives its shadow names from these. */
export const carePlanViewTables = { state: 'care_plan_view_patients', tasks: 'care_plan_view_tasks' } as const;
export type CarePlanViewTables = { readonly [K in keyof typeof carePlanViewTables]: string };
export const carePlanViewMigrations = ['0003_views.sql', '0006_view_state_lz4.sql'] as const;
