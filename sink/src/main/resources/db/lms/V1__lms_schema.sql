-- The LMS schema, exactly as ../shared/spec/lms.md: UUID keys, enforced foreign keys
-- (hard = NOT NULL ON DELETE CASCADE, soft = NULL ON DELETE SET NULL), real dates, JSONB labels.
-- Sync bookkeeping added by edu2lms (allowed by lms.md): source_lsn on every mapped table,
-- the highest EDU LSN among the row's inputs, so a replay never moves a row back in time.

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  legacy_id     bigint NOT NULL UNIQUE,
  username      text NOT NULL UNIQUE,
  email         text NULL UNIQUE,
  legacy_email  text NULL,
  password_hash text NULL,
  is_active     boolean NOT NULL,
  registered_at timestamptz NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  source_lsn    bigint NOT NULL DEFAULT 0
);

CREATE TABLE persons (
  id          uuid PRIMARY KEY,
  legacy_id   bigint NOT NULL UNIQUE,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  first_name  text NOT NULL,
  last_name   text NOT NULL,
  middle_name text NULL,
  birth_date  date NULL,
  gender      text NULL CHECK (gender IN ('male', 'female')),
  national_id text NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  source_lsn  bigint NOT NULL DEFAULT 0
);

CREATE TABLE organization_units (
  id         uuid PRIMARY KEY,
  legacy_id  bigint NOT NULL UNIQUE,
  parent_id  uuid NULL REFERENCES organization_units (id) ON DELETE SET NULL,
  unit_type  text NOT NULL CHECK (unit_type IN ('university', 'faculty', 'department', 'program', 'other')),
  name       jsonb NOT NULL,
  code       text NULL,
  is_active  boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  source_lsn bigint NOT NULL DEFAULT 0
);

CREATE TABLE students (
  id                   uuid PRIMARY KEY,
  legacy_id            bigint NOT NULL UNIQUE,
  person_id            uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_unit_id uuid NULL REFERENCES organization_units (id) ON DELETE SET NULL,
  student_number       text NOT NULL UNIQUE,
  status               text NOT NULL CHECK (status IN ('active', 'graduated', 'expelled', 'on_leave', 'inactive')),
  admission_year       integer NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  source_lsn           bigint NOT NULL DEFAULT 0
);

CREATE TABLE staff_members (
  id                   uuid PRIMARY KEY,
  legacy_id            bigint NOT NULL UNIQUE,
  person_id            uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_unit_id uuid NULL REFERENCES organization_units (id) ON DELETE SET NULL,
  position             jsonb NULL,
  status               text NOT NULL CHECK (status IN ('active', 'inactive')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  source_lsn           bigint NOT NULL DEFAULT 0
);

CREATE TABLE academic_terms (
  id            uuid PRIMARY KEY,
  academic_year text NOT NULL,
  term_type     text NOT NULL CHECK (term_type IN ('fall', 'spring', 'summer')),
  start_date    date NULL,
  end_date      date NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  source_lsn    bigint NOT NULL DEFAULT 0,
  UNIQUE (academic_year, term_type)
);

CREATE TABLE courses (
  id                   uuid PRIMARY KEY,
  legacy_id            bigint NOT NULL UNIQUE,
  code                 text NOT NULL,
  name                 jsonb NOT NULL,
  credit_hours         numeric(4,1) NULL,
  contact_hours        integer NULL,
  organization_unit_id uuid NULL REFERENCES organization_units (id) ON DELETE SET NULL,
  recommended_semester smallint NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  source_lsn           bigint NOT NULL DEFAULT 0
);

CREATE TABLE course_offerings (
  id               uuid PRIMARY KEY,
  legacy_id        bigint NOT NULL UNIQUE,
  course_id        uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  academic_term_id uuid NOT NULL REFERENCES academic_terms (id) ON DELETE CASCADE,
  section_code     text NULL,
  language         text NULL CHECK (language IN ('az', 'en', 'ru')),
  max_enrollment   integer NULL,
  is_active        boolean NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  source_lsn       bigint NOT NULL DEFAULT 0
);

CREATE TABLE course_instructors (
  id                 uuid PRIMARY KEY,
  legacy_id          bigint NOT NULL UNIQUE,
  course_offering_id uuid NOT NULL REFERENCES course_offerings (id) ON DELETE CASCADE,
  staff_member_id    uuid NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
  role               text NOT NULL CHECK (role IN ('lecturer', 'seminar_leader', 'lab_instructor')),
  is_active          boolean NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  source_lsn         bigint NOT NULL DEFAULT 0
);

CREATE TABLE course_enrollments (
  id                 uuid PRIMARY KEY,
  legacy_id          bigint NOT NULL UNIQUE,
  course_offering_id uuid NOT NULL REFERENCES course_offerings (id) ON DELETE CASCADE,
  student_id         uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  attempt_no         smallint NOT NULL,
  enrollment_status  text NOT NULL CHECK (enrollment_status IN ('enrolled', 'completed')),
  grade_letter       text NULL,
  grade_points       numeric(5,2) NULL,
  enrolled_at        timestamptz NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  source_lsn         bigint NOT NULL DEFAULT 0,
  UNIQUE (course_offering_id, student_id, attempt_no)
);

CREATE TABLE assessments (
  id                 uuid PRIMARY KEY,
  legacy_exam_id     bigint NULL UNIQUE,
  course_offering_id uuid NOT NULL REFERENCES course_offerings (id) ON DELETE CASCADE,
  assessment_type    text NOT NULL CHECK (assessment_type IN
                       ('exam', 'quiz', 'midterm', 'final', 'seminar', 'colloquium', 'independent_work')),
  title              jsonb NOT NULL,
  total_marks        numeric(6,2) NULL,
  passing_marks      numeric(6,2) NULL,
  duration_minutes   integer NULL,
  scheduled_at       timestamptz NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  source_lsn         bigint NOT NULL DEFAULT 0
);

CREATE TABLE assessment_submissions (
  id             uuid PRIMARY KEY,
  legacy_id      bigint NOT NULL UNIQUE,
  assessment_id  uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
  student_id     uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  attempt_number smallint NOT NULL,
  score          numeric(6,2) NULL,
  status         text NOT NULL CHECK (status IN ('submitted', 'graded', 'annulled')),
  submitted_at   timestamptz NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  source_lsn     bigint NOT NULL DEFAULT 0,
  UNIQUE (assessment_id, student_id, attempt_number)
);

CREATE TABLE grades (
  id               uuid PRIMARY KEY,
  legacy_detail_id bigint NOT NULL,
  component        smallint NOT NULL CHECK (component IN (1, 2, 3)),
  assessment_id    uuid NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
  enrollment_id    uuid NOT NULL REFERENCES course_enrollments (id) ON DELETE CASCADE,
  student_id       uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  marks_obtained   numeric(5,2) NULL,
  is_absent        boolean NOT NULL,
  graded_on        date NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  source_lsn       bigint NOT NULL DEFAULT 0,
  UNIQUE (legacy_detail_id, component)
);

CREATE TABLE file_uploads (
  id            uuid PRIMARY KEY,
  legacy_id     bigint NOT NULL UNIQUE,
  original_name text NOT NULL,
  storage_path  text NOT NULL,
  mime_type     text NULL,
  size_bytes    bigint NULL,
  uploaded_by   uuid NULL REFERENCES users (id) ON DELETE SET NULL,
  uploaded_at   timestamptz NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  source_lsn    bigint NOT NULL DEFAULT 0
);

CREATE TABLE course_materials (
  id                 uuid PRIMARY KEY,
  legacy_id          bigint NOT NULL UNIQUE,
  course_offering_id uuid NOT NULL REFERENCES course_offerings (id) ON DELETE CASCADE,
  file_upload_id     uuid NOT NULL REFERENCES file_uploads (id) ON DELETE CASCADE,
  title              text NULL,
  meeting_date       date NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  source_lsn         bigint NOT NULL DEFAULT 0
);

-- Indexes on the referencing columns, so ON DELETE CASCADE / SET NULL and the sink's parent
-- checks do not scan whole tables.
CREATE INDEX ON persons (user_id);
CREATE INDEX ON organization_units (parent_id);
CREATE INDEX ON students (person_id);
CREATE INDEX ON students (user_id);
CREATE INDEX ON students (organization_unit_id);
CREATE INDEX ON staff_members (person_id);
CREATE INDEX ON staff_members (user_id);
CREATE INDEX ON staff_members (organization_unit_id);
CREATE INDEX ON courses (organization_unit_id);
CREATE INDEX ON course_offerings (course_id);
CREATE INDEX ON course_offerings (academic_term_id);
CREATE INDEX ON course_instructors (course_offering_id);
CREATE INDEX ON course_instructors (staff_member_id);
CREATE INDEX ON course_enrollments (student_id);
CREATE INDEX ON assessments (course_offering_id);
CREATE INDEX ON assessment_submissions (student_id);
CREATE INDEX ON grades (assessment_id);
CREATE INDEX ON grades (enrollment_id);
CREATE INDEX ON grades (student_id);
CREATE INDEX ON file_uploads (uploaded_by);
CREATE INDEX ON course_materials (course_offering_id);
CREATE INDEX ON course_materials (file_upload_id);

-- Sync bookkeeping.
CREATE SCHEMA edu2lms;

CREATE TABLE edu2lms.quarantine (
  source_table text NOT NULL,
  source_id    bigint NOT NULL,
  component    smallint NOT NULL DEFAULT 0,
  reason       text NOT NULL,
  detail       text NULL,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  source_lsn   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (source_table, source_id, component)
);

-- Rows the sink could not write yet because a referenced row has not landed (it is in flight on
-- another topic or partition). Kept here, in the same transaction as the batch, so nothing parked
-- lives only in memory; retried after every batch.
CREATE TABLE edu2lms.parked (
  lms_table   text NOT NULL,
  id          uuid NOT NULL,
  payload     bytea NOT NULL,
  source_lsn  bigint NOT NULL,
  reason      text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_try    timestamptz NOT NULL,
  PRIMARY KEY (lms_table, id)
);
