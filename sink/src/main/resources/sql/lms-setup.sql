-- edu2lms: the least-privilege setup of LMS for the sink (README §Production, "Database roles").
-- Run as a superuser, or the owner of the LMS database and schema with CREATEROLE, after the LMS
-- migrations (edu2lms setup lms does both: edu2lms setup lms --url … --user <owner>), then give
-- the role a password:
--   psql -d lms -c '\password edu2lms_sink'
-- Idempotent. The sink's role gets DML on the LMS tables and the edu2lms bookkeeping schema and
-- no DDL: it cannot create, alter or drop anything (staging tables are temporary tables).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'edu2lms_sink') THEN
    CREATE ROLE edu2lms_sink LOGIN;
  ELSIF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'edu2lms_sink') THEN
    ALTER ROLE edu2lms_sink LOGIN;
  END IF;
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO edu2lms_sink', current_database());
  EXECUTE format('REVOKE CREATE ON DATABASE %I FROM edu2lms_sink', current_database());
END
$$;

GRANT USAGE ON SCHEMA public, edu2lms TO edu2lms_sink;
REVOKE CREATE ON SCHEMA public, edu2lms FROM edu2lms_sink;
-- Up to PostgreSQL 14 every role (PUBLIC) may create in schema public; this database is the LMS's
-- own, so that default goes (PostgreSQL 15+ ships without it).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- DML on every table of the two schemas (the 15 LMS tables of lms.md; quarantine, parked rows,
-- notes, waiting deletes, heartbeat, verify runs and acknowledgements of edu2lms).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, edu2lms TO edu2lms_sink;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, edu2lms TO edu2lms_sink;
-- The migration history is read (to see that the schema is current), never written.
REVOKE INSERT, UPDATE, DELETE ON public.edu2lms_lms_schema_history FROM edu2lms_sink;

-- Tables and sequences the owner creates in later migrations get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public, edu2lms GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO edu2lms_sink;
ALTER DEFAULT PRIVILEGES IN SCHEMA public, edu2lms GRANT USAGE, SELECT ON SEQUENCES TO edu2lms_sink;
