-- The versions of each view. The live version serves the API under the table names in the
-- view's tables.ts; a rebuild folds the whole log into the next version's shadow tables
-- (`<table>__v<N>`) and then swaps it in atomically, and the version it replaces is kept,
-- retired, under `<table>__v<M>` until it is dropped. A version's progress is stored under
-- `<view>@v<N>` in view_stored_offsets and view_processed_events; the live one's under `<view>`.
CREATE TABLE view_versions (
  view text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('building', 'live', 'retired', 'dropped')),
  -- The version's tables as they are named now, by their key in tables.ts.
  tables jsonb NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  -- When the version became live, stopped being live, and was dropped.
  swapped_at timestamptz,
  retired_at timestamptz,
  dropped_at timestamptz,
  PRIMARY KEY (view, version)
);

-- At most one live and one building version per view.
CREATE UNIQUE INDEX view_versions_one_live ON view_versions (view) WHERE status = 'live';
CREATE UNIQUE INDEX view_versions_one_building ON view_versions (view) WHERE status = 'building';
