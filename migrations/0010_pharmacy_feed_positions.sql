-- The pharmacy feed's position of a row becomes (changed_partition, changed_offset,
-- changed_seq), and its order (changed_partition, changed_offset, changed_seq, nhs_number,
-- order_id) is total, so a cursor can name the exact last row seen instead of an offset that
-- several rows share (every order of a patient changed in one batch has the same offset).
-- changed_seq is 0 for a change made by a live batch at the offset of the patient's last event
-- in it; a change made elsewhere (a re-driven dead letter, a rebuild's swap) has no offset of
-- its own above the rows already shown, so it is placed at the partition's highest offset with
-- the next seq there.
ALTER TABLE pharmacy_view_orders ADD COLUMN changed_seq integer NOT NULL DEFAULT 0 CHECK (changed_seq >= 0);
DROP INDEX pharmacy_view_orders_changes;
CREATE INDEX pharmacy_view_orders_feed ON pharmacy_view_orders
  (changed_partition, changed_offset, changed_seq, nhs_number COLLATE "C", order_id COLLATE "C");

-- A rebuild in progress resumes into its shadow tables, which the swap then names as the live
-- ones: they get the same column and index (named `<index>__v<N>`, as shadowTables.ts does).
DO $$
DECLARE
  building record;
BEGIN
  FOR building IN
    SELECT version, tables->>'orders' AS orders FROM view_versions WHERE view = 'pharmacy-view' AND status = 'building'
  LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN changed_seq integer NOT NULL DEFAULT 0 CHECK (changed_seq >= 0)',
                   building.orders);
    EXECUTE format('DROP INDEX IF EXISTS %I', 'pharmacy_view_orders_changes__v' || building.version);
    EXECUTE format('CREATE INDEX %I ON %I (changed_partition, changed_offset, changed_seq, nhs_number COLLATE "C", order_id COLLATE "C")',
                   'pharmacy_view_orders_feed__v' || building.version, building.orders);
  END LOOP;
END $$;
