-- The views' bookkeeping (shared by every consumer group) and the three views' tables.
-- A view's progress lives here, in the same transactions as its rows: Kafka's committed
-- offsets are written only to show lag.

-- The next offset each view will apply, per partition; advanced by compare-and-set.
CREATE TABLE view_stored_offsets (
  view text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL CHECK (next_offset >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (view, topic, partition)
);

-- Every event a view has applied; ON CONFLICT DO NOTHING decides which events of a batch are new.
CREATE TABLE view_processed_events (
  view text NOT NULL,
  event_id uuid NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (view, event_id)
);

-- Records a view could not decode or apply, with their coordinates and the error.
CREATE TABLE view_dead_letters (
  dead_letter_id bigserial PRIMARY KEY,
  view text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  event_id uuid,
  error_code text NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  record_key bytea,
  record_value bytea,
  dead_lettered_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'redriven')),
  redriven_at timestamptz,
  redrive_outcome text,
  UNIQUE (view, topic, partition, "offset")
);

-- Per patient, each view's folded state (the input of the next fold).
CREATE TABLE gp_view_patients (
  nhs_number char(10) PRIMARY KEY,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pharmacy_view_patients (
  nhs_number char(10) PRIMARY KEY,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE care_plan_view_patients (
  nhs_number char(10) PRIMARY KEY,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The pharmacy's orders across patients. changed_partition/changed_offset is the log position
-- of the event that last changed the row: the feed's cursor (never a database sequence).
CREATE TABLE pharmacy_view_orders (
  nhs_number char(10) NOT NULL,
  order_id text NOT NULL,
  status text NOT NULL,
  row_data jsonb NOT NULL,
  changed_partition integer NOT NULL,
  changed_offset bigint NOT NULL,
  PRIMARY KEY (nhs_number, order_id)
);
CREATE INDEX pharmacy_view_orders_active ON pharmacy_view_orders (status) WHERE status = 'active';
CREATE INDEX pharmacy_view_orders_changes ON pharmacy_view_orders (changed_partition, changed_offset);

-- Care-plan tasks across patients.
CREATE TABLE care_plan_view_tasks (
  nhs_number char(10) NOT NULL,
  task_id text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  due_at timestamptz NOT NULL,
  row_data jsonb NOT NULL,
  PRIMARY KEY (nhs_number, task_id)
);
CREATE INDEX care_plan_view_tasks_open_due ON care_plan_view_tasks (due_at) WHERE status = 'open';
