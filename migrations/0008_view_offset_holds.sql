-- A hold on a view's progress: its consumer applies no record at or after hold_before until
-- hold_until has passed (or the hold is released). A rebuild holds the live view and its new
-- version at the same offsets for the few seconds of its final alignment, so that the two are
-- compared at exactly the same point of the log. The expiry bounds the pause if the rebuild
-- dies while holding: the live view never waits on a process that is gone.
ALTER TABLE view_stored_offsets
  ADD COLUMN hold_before bigint CHECK (hold_before >= 0),
  ADD COLUMN hold_until timestamptz;
