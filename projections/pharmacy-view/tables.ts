/** The pharmacy view's tables and the migration that creates them; a rebuild derives its shadow names from these. */
export const pharmacyViewTables = { state: 'pharmacy_view_patients', orders: 'pharmacy_view_orders' } as const;
export type PharmacyViewTables = { readonly [K in keyof typeof pharmacyViewTables]: string };
export const pharmacyViewMigrations = ['0003_views.sql'] as const;
