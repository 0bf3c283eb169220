-- Each view rewrites a patient's whole state (a few kB of jsonb, compressed when stored) for
-- every batch that touches the patient. lz4 compresses and decompresses it for much less CPU
-- than the default pglz: in the views benchmark, PostgreSQL's CPU for the GP view's live apply
-- fell by about a fifth. Stored values keep pglz until they are next written.
ALTER TABLE gp_view_patients ALTER COLUMN state SET COMPRESSION lz4;
ALTER TABLE pharmacy_view_patients ALTER COLUMN state SET COMPRESSION lz4;
ALTER TABLE care_plan_view_patients ALTER COLUMN state SET COMPRESSION lz4;
