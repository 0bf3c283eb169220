-- What a view (or a rebuild's version, under its progress name) was folded with besides the
-- code: the care-plan view's long-term-condition list. The first consumer of a view records
-- it; one started later with another configuration warns that the view needs a rebuild; a
-- rebuild records its own, and the swap carries it over with the rest of the progress.
CREATE TABLE view_fold_versions (
  view text PRIMARY KEY,
  fold_version text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
