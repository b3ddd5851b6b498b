-- One parent of each kind and 100,000 grades to update, in an LMS database migrated with the
-- sink's migrations (sink/src/main/resources/db/lms). Parents are inserted with the foreign-key
-- triggers off: this is a scratch database for pgbench, never the sink's way.
SET session_replication_role = replica;
INSERT INTO assessments (id, course_offering_id, assessment_type, title) VALUES ('00000000-0000-0000-0000-00000000000a', gen_random_uuid(), 'exam', '{"en":"x"}');
INSERT INTO students (id, legacy_id, person_id, user_id, student_number, status) VALUES ('00000000-0000-0000-0000-00000000000c', 1, gen_random_uuid(), gen_random_uuid(), 's1', 'active');
INSERT INTO course_enrollments (id, legacy_id, course_offering_id, student_id, attempt_no, enrollment_status) VALUES ('00000000-0000-0000-0000-00000000000b', 1, gen_random_uuid(), '00000000-0000-0000-0000-00000000000c', 1, 'enrolled');
INSERT INTO grades (id, legacy_detail_id, component, assessment_id, enrollment_id, student_id, marks_obtained, is_absent, graded_on, source_lsn)
 SELECT ('00000000-0000-0000-0001-' || lpad(g::text, 12, '0'))::uuid, g, 1, '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-00000000000c', 1, false, current_date, 1 FROM generate_series(1,100000) g;
ANALYZE;
