/** The audit index's tables and the migration that creates them. */
export const auditIndexTables = {
  events: 'audit_events',
  chainHeads: 'audit_chain_heads',
  receipts: 'audit_receipts',
} as const;
export const auditIndexMigrations = ['0004_audit_index.sql'] as const;
