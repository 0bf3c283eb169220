/** The pharmacy view's tables and the migrations that create and shape them; a rebuild derives its shadow names from these. */
export const pharmacyViewTables = { state: 'pharmacy_view_patients', orders: 'pharmacy_view_orders' } as const;
export type PharmacyViewTables = { readonly [K in keyof typeof pharmacyViewTables]: string };
export const pharmacyViewMigrations = [
  '0003_views.sql',
  '0006_view_state_lz4.sql',
  '0010_pharmacy_feed_positions.sql',
] as const;
