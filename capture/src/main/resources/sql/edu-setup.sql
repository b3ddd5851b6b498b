-- edu2lms: the least-privilege setup of EDU for the capture (README §Production, "Database roles").
-- Run once, and again after an upgrade, as a superuser (or, on PostgreSQL 16+, a role with
-- CREATEROLE and REPLICATION that owns the EDU tables and the database):
--   psql -d edu -f edu-setup.sql        (or: edu2lms setup edu --url … --user <admin>)
-- The publication is named edu2lms unless the setting edu2lms.publication names another
-- (edu2lms setup edu --publication X sets it; in psql: SET edu2lms.publication = 'X';).
-- then give the role a password without it entering a file or the shell history:
--   psql -d edu -c '\password edu2lms_capture'
-- Idempotent. The capture then needs nothing more: it never creates or alters anything in EDU.
--
-- Server settings it relies on (postgresql.conf; a restart is needed): wal_level = logical,
-- max_replication_slots >= 1 and max_wal_senders >= 1 free for the capture, and
-- max_slot_wal_keep_size set so a stopped capture cannot fill EDU's disk.

-- The capture's role: LOGIN and REPLICATION (a replication slot and the walsender), nothing else.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'edu2lms_capture') THEN
    CREATE ROLE edu2lms_capture LOGIN REPLICATION;
  ELSIF NOT (SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = 'edu2lms_capture') THEN
    ALTER ROLE edu2lms_capture LOGIN REPLICATION;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO edu2lms_capture', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO edu2lms_capture;

-- SELECT on the 20 EDU tables of edu.md, for the initial snapshot and `edu2lms reload`.
GRANT SELECT ON
  public.dictionaries, public.points, public.edu_years, public.semesters, public.users,
  public.persons, public.organizations, public.students, public.teachers, public.education_plan,
  public.education_plan_subject, public.course, public.course_teacher, public.course_meeting_topic,
  public.files, public.course_meeting_topic_file, public.journal, public.journal_details,
  public.exam, public.exam_result
TO edu2lms_capture;

-- The heartbeat row the capture updates every second (freshness end to end, README §Heartbeat).
CREATE TABLE IF NOT EXISTS public.edu2lms_heartbeat (id bigint PRIMARY KEY, ts timestamptz NOT NULL);
INSERT INTO public.edu2lms_heartbeat (id, ts) VALUES (1, now()) ON CONFLICT (id) DO NOTHING;
GRANT SELECT, INSERT, UPDATE ON public.edu2lms_heartbeat TO edu2lms_capture;

-- The signal table of `edu2lms reload` (Debezium incremental snapshots): Debezium reads it and
-- writes its chunk watermarks into it. Operators who run `edu2lms reload` need INSERT on it too.
CREATE TABLE IF NOT EXISTS public.edu2lms_signal (
  id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048) NULL);
GRANT SELECT, INSERT ON public.edu2lms_signal TO edu2lms_capture;

-- The publication over exactly these tables. Creating one FOR TABLE needs ownership of the tables,
-- which the capture's role does not have: it is created here, and the capture uses it as it is.
DO $$
DECLARE
  pub text := coalesce(nullif(current_setting('edu2lms.publication', true), ''), 'edu2lms');
  tables text := 'public.dictionaries, public.points, public.edu_years, public.semesters, public.users,'
    ' public.persons, public.organizations, public.students, public.teachers, public.education_plan,'
    ' public.education_plan_subject, public.course, public.course_teacher, public.course_meeting_topic,'
    ' public.files, public.course_meeting_topic_file, public.journal, public.journal_details,'
    ' public.exam, public.exam_result, public.edu2lms_heartbeat, public.edu2lms_signal';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = pub) THEN
    EXECUTE format('CREATE PUBLICATION %I FOR TABLE ', pub) || tables;
  ELSE
    EXECUTE format('ALTER PUBLICATION %I SET TABLE ', pub) || tables;
  END IF;
END
$$;
