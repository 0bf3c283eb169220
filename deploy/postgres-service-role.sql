-- The least rights of the service's PostgreSQL role (DATABASE_URL), for a database whose schema
-- is owned and migrated by another role (DATABASE_MIGRATION_URL). Run it as the owner (or a
-- superuser) in the service's database, after the first migration and again whenever in doubt
-- (it is idempotent):
--
--   psql "<the owner's URL>" -v ON_ERROR_STOP=1 \
--        -v service_role=cel_service -v owner_role=cel_owner \
--        -f deploy/postgres-service-role.sql
--
-- The roles exist already, e.g. (as a superuser):
--   CREATE ROLE cel_owner LOGIN CREATEDB PASSWORD '…';    -- or: CREATE DATABASE … OWNER cel_owner
--   CREATE ROLE cel_service LOGIN PASSWORD '…';
-- The owner must own the database (it then may create tables in public on PostgreSQL 15, whose
-- public schema belongs to the database's owner): let the service create the database through
-- DATABASE_MIGRATION_URL with CREATEDB as above, or create it with OWNER cel_owner.
--
-- What the service role gets: CONNECT on the database, USAGE on the schema public (no CREATE),
-- SELECT/INSERT/UPDATE/DELETE on its tables, USAGE/SELECT on its sequences (bigserial ids),
-- EXECUTE on its functions (the ingest hashes behind generated columns), and the same on
-- tables, sequences and functions the owner creates later (new migrations, a rebuild's
-- shadow tables). It owns nothing, so it can neither create, alter, drop nor truncate tables.
-- Advisory locks (the migration check, a view's feed lock) need no grant.
--
-- PostgreSQL 14 and older let every role create tables in public; there, also run (once, as
-- the owner of the schema): REVOKE CREATE ON SCHEMA public FROM PUBLIC;

\set ON_ERROR_STOP on

SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'service_role') \gexec

GRANT USAGE ON SCHEMA public TO :"service_role";

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"service_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"service_role";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO :"service_role";

ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"service_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"service_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO :"service_role";
