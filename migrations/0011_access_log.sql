-- Who viewed what: the access log's index. Every access record on the access-log topic (one per
-- answer carrying patient data, per export and per admin action) is one access_log row, and one
-- access_log_patients row per patient it touched, so "who looked at this patient" and "what did
-- this person look at" are both a range scan. Written by the access-log index consumer, exactly
-- once with its offsets like the views; never updated or deleted.
CREATE TABLE access_log (
  access_id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_sub text NOT NULL,
  actor_roles text[] NOT NULL,
  client_id text NOT NULL,
  purpose_of_use text NOT NULL,
  kind text NOT NULL,
  route text NOT NULL,
  patients text[] NOT NULL,
  correlation_id text NOT NULL,
  outcome text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL
);
-- Subjects and correlation ids are bounded (200 characters) where they enter, so btree rows stay small.
CREATE INDEX access_log_by_actor ON access_log (actor_sub, at, access_id);

CREATE TABLE access_log_patients (
  nhs_number text NOT NULL,
  at timestamptz NOT NULL,
  access_id uuid NOT NULL REFERENCES access_log (access_id),
  PRIMARY KEY (nhs_number, at, access_id)
);
