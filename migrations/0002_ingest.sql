-- The source adapters' own state: which facts were published, what the identity
-- cross-reference has learned, and the inputs held (parked) or refused (rejected), each
-- with its payload so nothing is lost and everything can be re-driven.

-- One row per published fact, written only AFTER Kafka acknowledged the event: a crash in
-- between can publish a fact twice (the views deduplicate by event id), never lose it.
CREATE TABLE ingest_published_events (
  dedup_key text PRIMARY KEY,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  correlation_id text NOT NULL,
  receipt_id uuid,
  published_at timestamptz NOT NULL DEFAULT now()
);

-- (assigning authority, local id) → NHS number, learned only from accepted messages that
-- carried both. Never learned from demographics.
CREATE TABLE patient_identity_xref (
  authority text NOT NULL,
  local_id text NOT NULL,
  nhs_number char(10) NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  learned_from_receipt uuid,
  learned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (authority, local_id)
);
CREATE INDEX patient_identity_xref_by_nhs ON patient_identity_xref (nhs_number);

-- Inputs held because their patient cannot be identified yet (or the identifiers conflict).
-- Released in park_id order when the mapping they wait on is learned.
CREATE TABLE ingest_parked (
  park_id bigserial PRIMARY KEY,
  receipt_id uuid NOT NULL,
  channel text NOT NULL,
  endpoint text NOT NULL,
  content_type text NOT NULL,
  payload bytea NOT NULL,
  correlation_id text NOT NULL,
  remote_address text,
  received_at timestamptz NOT NULL,
  reason_code text NOT NULL,
  reason text NOT NULL,
  waiting_authority text,
  waiting_local_id text,
  status text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'released', 'discarded')),
  resolved_at timestamptz,
  resolution text
);
CREATE INDEX ingest_parked_waiting ON ingest_parked (waiting_authority, waiting_local_id) WHERE status = 'parked';

-- Inputs refused, with the answer the sender got. Mirrors the rejected-inputs topic so
-- operators can list and re-drive them.
CREATE TABLE ingest_rejected (
  rejection_id bigserial PRIMARY KEY,
  receipt_id uuid NOT NULL,
  channel text NOT NULL,
  endpoint text NOT NULL,
  content_type text NOT NULL,
  payload bytea NOT NULL,
  correlation_id text NOT NULL,
  remote_address text,
  received_at timestamptz NOT NULL,
  reason_code text NOT NULL,
  reason text NOT NULL,
  location text,
  answer text NOT NULL,
  status text NOT NULL DEFAULT 'rejected' CHECK (status IN ('rejected', 'redriven')),
  redriven_at timestamptz,
  redrive_outcome text
);
