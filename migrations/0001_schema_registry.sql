-- The embedded schema registry (registry/): schemas by global id, the versions of each
-- subject, and compatibility levels. Every write holds a transaction-scoped advisory lock.

-- One row per distinct schema (by normalized form), kept forever so an id is never reused.
-- Ids are int4: the Confluent wire format carries the id in 4 bytes.
CREATE TABLE registry_schemas (
  id integer PRIMARY KEY CHECK (id > 0),
  schema_type text NOT NULL DEFAULT 'AVRO' CHECK (schema_type = 'AVRO'),
  normalized text NOT NULL,
  fingerprint text NOT NULL UNIQUE CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registry_subject_versions (
  subject text NOT NULL CHECK (subject <> ''),
  version integer NOT NULL CHECK (version > 0),
  schema_id integer NOT NULL REFERENCES registry_schemas (id),
  deleted boolean NOT NULL DEFAULT false,
  registered_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (subject, version)
);

-- A schema is live at most once per subject: registering it again returns the existing version.
CREATE UNIQUE INDEX registry_subject_versions_live_schema
  ON registry_subject_versions (subject, schema_id) WHERE NOT deleted;
CREATE INDEX registry_subject_versions_by_schema ON registry_subject_versions (schema_id);

-- subject '' holds the global level; no row means Confluent's default, BACKWARD.
CREATE TABLE registry_config (
  subject text PRIMARY KEY,
  compatibility text NOT NULL CHECK (compatibility IN (
    'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'
  )),
  updated_at timestamptz NOT NULL DEFAULT now()
);
