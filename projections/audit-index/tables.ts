/** The audit index's tables (the trail, the receipts, the access log) and the migrations that create them. */
export const auditIndexTables = {
  events: 'audit_events',
  chainHeads: 'audit_chain_heads',
  receipts: 'audit_receipts',
  access: 'access_log',
  accessPatients: 'access_log_patients',
} as const;
export const auditIndexMigrations = ['0004_audit_index.sql', '0011_access_log.sql'] as const;
