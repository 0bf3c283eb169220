-- Ingest's ledger indexed by hash, and the content each source message identity was accepted with.
--
-- A btree index row holds at most ~2.7 kB (error 54000): a 6,000-character MSH-10 made the
-- ledger write fail after Kafka had acknowledged the events. Every key the ledger writes after
-- the acknowledgement is now indexed by its SHA-256 (32 bytes), whatever the sender's value.

-- The hashes, as functions so the generated columns and the queries say them once. convert_to is
-- only STABLE in general; with the database encoding fixed (UTF8) these are immutable.
CREATE FUNCTION ingest_key_hash(key text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN sha256(convert_to(key, 'UTF8'));
-- Text never holds a NUL, so a NUL byte between authority and local id keeps the two apart.
CREATE FUNCTION ingest_identifier_hash(authority text, local_id text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN sha256(convert_to(authority, 'UTF8') || '\x00'::bytea || convert_to(local_id, 'UTF8'));

-- Published facts: the primary key is the hash of the dedup key (the key itself stays, unindexed).
ALTER TABLE ingest_published_events
  ADD COLUMN dedup_key_hash bytea GENERATED ALWAYS AS (ingest_key_hash(dedup_key)) STORED;
ALTER TABLE ingest_published_events DROP CONSTRAINT ingest_published_events_pkey;
ALTER TABLE ingest_published_events ADD PRIMARY KEY (dedup_key_hash);

-- The identity cross-reference: one row per (authority, local id), by the hash of both.
ALTER TABLE patient_identity_xref
  ADD COLUMN identifier_hash bytea GENERATED ALWAYS AS (ingest_identifier_hash(authority, local_id)) STORED;
ALTER TABLE patient_identity_xref DROP CONSTRAINT patient_identity_xref_pkey;
ALTER TABLE patient_identity_xref ADD PRIMARY KEY (identifier_hash);

-- Parked inputs waiting on a local identifier: a hash index has no row size limit.
DROP INDEX ingest_parked_waiting;
CREATE INDEX ingest_parked_waiting ON ingest_parked USING hash (waiting_local_id) WHERE status = 'parked';

-- One row per source message identity (HL7: sending application + facility + MSH-10; FHIR:
-- resource type + id + version; JSON: the Idempotency-Key), written with the published facts:
-- the SHA-256 of the content that matters, so the same identity sent again with other content
-- is refused instead of being answered as a duplicate. Facts published before this migration
-- have no row: their identities are compared by dedup key only, as before.
CREATE TABLE ingest_source_messages (
  identity text NOT NULL,
  identity_hash bytea GENERATED ALWAYS AS (ingest_key_hash(identity)) STORED PRIMARY KEY,
  content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  receipt_id uuid,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
