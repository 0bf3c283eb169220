-- The audit index: every record of the canonical topic, by its log position, with what an
-- auditor asks about (who, what, when, from which source message), the event as decoded, the
-- exact bytes from the log, and a per-patient hash chain over them (tamper evidence).
-- Written by its own consumer group, exactly once like the views (stored offsets, CAS).
-- Every column of a row is covered by its entry_hash (projections/audit-index/auditChain.ts),
-- so there is deliberately no column the chain does not cover (no indexed_at).

CREATE TABLE audit_events (
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  nhs_number char(10) NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  correlation_id text NOT NULL,
  source_channel text NOT NULL,
  source_system text NOT NULL,
  source_message_id text NOT NULL,
  receipt_id uuid,
  -- The event as decoded (instants as ISO strings), for queries and as-of folds.
  payload jsonb NOT NULL,
  -- The record value exactly as on the log (Confluent wire format).
  record_value bytea NOT NULL,
  -- Per patient: 1, 2, 3 … in log order, the previous entry's hash, and this entry's hash.
  chain_seq bigint NOT NULL,
  prev_hash text NOT NULL,
  entry_hash text NOT NULL,
  PRIMARY KEY (topic, partition, "offset"),
  UNIQUE (nhs_number, chain_seq)
);
CREATE INDEX audit_events_patient_time ON audit_events (nhs_number, occurred_at);
CREATE INDEX audit_events_event_id ON audit_events (event_id);
CREATE INDEX audit_events_correlation ON audit_events (correlation_id);
CREATE INDEX audit_events_source_message ON audit_events (source_message_id);
CREATE INDEX audit_events_type_time ON audit_events (event_type, occurred_at);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
-- The API pages in log order, (partition, offset), whatever the filter.
CREATE INDEX audit_events_position ON audit_events (partition, "offset");

-- The head of each patient's chain, so indexing a batch needs no scan. chain_seq 0 (hash of
-- 64 zeros) is a chain with no entries yet: the row exists so a writer can lock it.
CREATE TABLE audit_chain_heads (
  nhs_number char(10) PRIMARY KEY,
  chain_seq bigint NOT NULL,
  entry_hash text NOT NULL
);

-- The raw receipts (the raw-receipts topic), so an audit answer can show the source message
-- exactly as received. Written by its own consumer group (audit-receipts).
CREATE TABLE audit_receipts (
  receipt_id uuid PRIMARY KEY,
  received_at timestamptz NOT NULL,
  channel text NOT NULL,
  remote_address text,
  correlation_id text NOT NULL,
  content_type text NOT NULL,
  message_type text,
  message_id text,
  payload bytea NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL
);
